package dev.lifeboat.cli.snapshots;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lifeboat snapshots}. */
@Command(name = "snapshots", mixinStandardHelpOptions = true, description = "List the repository's snapshots.",
        subcommands = {SnapshotsListCommand.class})
public final class SnapshotsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Name a snapshots command, e.g. 'lifeboat snapshots list'.");
    }
}
