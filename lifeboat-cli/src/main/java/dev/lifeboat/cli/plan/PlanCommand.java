package dev.lifeboat.cli.plan;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lifeboat plan}: commands about the DR plan itself. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Work with the DR plan (lifeboat.yaml).",
        subcommands = {PlanCheckCommand.class})
public final class PlanCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Name a plan command, e.g. 'lifeboat plan check'.");
    }
}
