package dev.lifeboat.cli.backup;

import dev.lifeboat.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code lifeboat backup}: take a backup now. */
@Command(name = "backup", mixinStandardHelpOptions = true, description = "Take a backup now.",
        subcommands = {BackupDirCommand.class, BackupPostgresCommand.class, BackupRedisCommand.class})
public final class BackupCommand extends CommandGroup {
}
