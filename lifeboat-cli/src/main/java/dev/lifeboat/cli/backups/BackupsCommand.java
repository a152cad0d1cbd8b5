package dev.lifeboat.cli.backups;

import dev.lifeboat.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code lifeboat backups}: database backups. */
@Command(name = "backups", mixinStandardHelpOptions = true, description = "List database backups.",
        subcommands = {BackupsListCommand.class})
public final class BackupsCommand extends CommandGroup {
}
