package dev.lifeboat.cli.snapshots;

import dev.lifeboat.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code lifeboat snapshots}. */
@Command(name = "snapshots", mixinStandardHelpOptions = true, description = "List the repository's snapshots.",
        subcommands = {SnapshotsListCommand.class})
public final class SnapshotsCommand extends CommandGroup {
}
