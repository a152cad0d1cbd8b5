package dev.lifeboat.cli.plan;

import dev.lifeboat.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code lifeboat plan}: commands about the DR plan itself. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Work with the DR plan (lifeboat.yaml).",
        subcommands = {PlanCheckCommand.class})
public final class PlanCommand extends CommandGroup {
}
