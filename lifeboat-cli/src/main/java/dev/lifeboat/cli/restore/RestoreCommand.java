package dev.lifeboat.cli.restore;

import dev.lifeboat.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code lifeboat restore}: restore a snapshot. */
@Command(name = "restore", mixinStandardHelpOptions = true, description = "Restore a snapshot.",
        subcommands = {RestoreDirCommand.class, RestorePostgresCommand.class})
public final class RestoreCommand extends CommandGroup {
}
