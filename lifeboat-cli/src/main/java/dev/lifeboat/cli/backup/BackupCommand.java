package dev.lifeboat.cli.backup;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lifeboat backup}: take a backup now. */
@Command(name = "backup", mixinStandardHelpOptions = true, description = "Take a backup now.",
        subcommands = {BackupDirCommand.class})
public final class BackupCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Name what to back up, e.g. 'lifeboat backup dir'.");
    }
}
