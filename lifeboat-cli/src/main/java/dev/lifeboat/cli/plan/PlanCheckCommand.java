package dev.lifeboat.cli.plan;

import dev.lifeboat.cli.output.Json;
import dev.lifeboat.core.config.PlanLoader;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.feasibility.Feasibility;
import dev.lifeboat.core.feasibility.FeasibilityCheck;
import dev.lifeboat.core.plan.Plan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import dev.lifeboat.cli.output.Output;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat plan check}: validate the plan, then say whether its protection can meet every target. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {
                "Validate the plan and evaluate its feasibility.",
                "",
                "Validation reports every problem with file:line:column, what is wrong and how to fix it.",
                "Feasibility says, for every component and data class, the worst-case recovery point the configured "
                + "schedules can deliver, whether retention covers the required period, and whether every resource a "
                + "component depends on is protected at all. Recovery times stay 'unmeasured' until a drill measures them."},
        footer = {"", "Exit status: 0 every target can be met; 3 some cannot (objectives-not-met); "
                + "20 the plan is invalid (plan-invalid); 10 no plan file. See docs/reference/exit-codes.md."})
public final class PlanCheckCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The plan file (default: $LIFEBOAT_CONFIG, else ./lifeboat.yaml).")
    Path config;

    @Mixin
    Output output;


    @Override
    public Integer call() {
        Path file = PlanLoader.locate(Optional.ofNullable(config), dev.lifeboat.cli.Lifeboat.environment());
        Plan plan = PlanLoader.load(file);
        Feasibility result = FeasibilityCheck.assess(plan);
        PrintWriter out = output.out();
        if (output.json()) {
            out.println(Json.write(FeasibilityJson.of(result)));
        } else {
            out.print(FeasibilityText.render(result));
        }
        return result.gaps() > 0 ? ErrorCode.OBJECTIVES_NOT_MET.exitStatus() : 0;
    }
}
