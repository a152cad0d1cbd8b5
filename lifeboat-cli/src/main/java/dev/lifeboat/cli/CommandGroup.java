package dev.lifeboat.cli;

import picocli.CommandLine;

/** A command that only groups subcommands: run alone, it says which to name. */
public abstract class CommandGroup implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        String first = spec.subcommands().keySet().stream().filter(n -> !n.equals("help")).findFirst().orElse("--help");
        throw new CommandLine.ParameterException(spec.commandLine(), "Name a " + spec.name() + " command, e.g. '"
                + spec.qualifiedName() + " " + first + "'.");
    }
}
