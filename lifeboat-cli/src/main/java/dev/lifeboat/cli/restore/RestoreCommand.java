package dev.lifeboat.cli.restore;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lifeboat restore}: restore a snapshot. */
@Command(name = "restore", mixinStandardHelpOptions = true, description = "Restore a snapshot.",
        subcommands = {RestoreDirCommand.class})
public final class RestoreCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Name what to restore, e.g. 'lifeboat restore dir'.");
    }
}
