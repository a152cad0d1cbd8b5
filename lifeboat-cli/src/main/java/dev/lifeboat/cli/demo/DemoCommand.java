package dev.lifeboat.cli.demo;

import dev.lifeboat.cli.output.Output;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.drill.Drill;
import dev.lifeboat.drill.Outcome;
import dev.lifeboat.drill.Report;
import dev.lifeboat.drill.Scenario;
import dev.lifeboat.testkit.Reaper;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat demo}: a complete DR drill in a local sandbox. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run a disaster-recovery drill on a small copy of the Learning Assistant stack on this machine.",
                "",
                "For each scenario, builds a sandbox under --dir (PostgreSQL primary and replica, Redis primary, replica and "
                        + "three Sentinels on free loopback ports, the Learning Assistant schema, an encrypted repository, WAL "
                        + "streaming, a base backup and a Redis snapshot, a reference application behind a router, and a client "
                        + "writing through it while recording every acknowledged write), breaks it the way the seed's test "
                        + "scenarios do, recovers, and measures RTO (fault to the first acknowledged write after the outage) and "
                        + "lost acknowledged writes against the plan's targets. Scenarios: data-corruption (point-in-time "
                        + "recovery), primary-failure (failover to the replica), cache-failure (Sentinel failover and cache "
                        + "warming), all.",
                "",
                "Writes report.html (a chart per scenario, readable offline) and report.json to --dir. Every process it "
                        + "starts is stopped at the end, also on Ctrl-C or failure, unless --keep."},
        footer = {"", "Exit status: 0 every scenario met its targets; 3 a scenario missed a target or did not validate or could not run (its sandbox did not start: the report says why)."})
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    Output output;

    @Option(names = "--scenario", paramLabel = "NAME", description = "data-corruption, primary-failure, cache-failure or all (default all).")
    String scenario = "all";

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the sandboxes and reports go (default ./lifeboat-demo).")
    Path dir = Path.of("lifeboat-demo");

    @Option(names = "--keep", description = "Leave the last sandbox's servers running (its plan is DIR/SCENARIO/lifeboat.yaml).")
    boolean keep;

    @Override
    public Integer call() {
        List<Scenario> scenarios;
        try {
            scenarios = Drill.scenarios(scenario);
        } catch (IllegalArgumentException e) {
            throw new LifeboatException(ErrorCode.USAGE, "--scenario " + scenario + " is not data-corruption, primary-failure, cache-failure or all", null);
        }
        PrintWriter err = output.err();
        Instant started = Instant.now();
        List<Outcome> outcomes = new ArrayList<>();
        java.util.Map<String, String> notRun = new java.util.LinkedHashMap<>();
        for (int i = 0; i < scenarios.size(); i++) {
            boolean keepThis = keep && i == scenarios.size() - 1;
            Drill drill = new Drill(dir, keepThis, line -> {
                err.println(line);
                err.flush();
            });
            try {
                outcomes.add(drill.run(scenarios.get(i)));
            } catch (RuntimeException e) {
                // A sandbox that does not start (a port taken meanwhile, initdb failing) costs this scenario, not the
                // others' results: it is reported as not run, and the report is still written.
                String why = e instanceof LifeboatException le ? "[" + le.code().label() + "] " + le.getMessage() : String.valueOf(e);
                err.println("   the scenario could not run: " + why);
                notRun.put(scenarios.get(i).name(), why);
            }
        }
        Report report = new Report(outcomes, notRun, started, dir);
        report.write();
        if (keep) {
            List<Long> pids = Reaper.releaseAll();
            err.println("Kept running (stop them with kill): PIDs " + pids + "; plan: " + dir.resolve(scenarios.get(scenarios.size() - 1).name())
                    .resolve("lifeboat.yaml").toAbsolutePath() + Reaper.keptDirectory().map(d -> "; their data is in " + d
                    + " (remove it once they are stopped)").orElse(""));
        }
        output.emit(report.json(), report::table);
        return report.passed() ? 0 : ErrorCode.OBJECTIVES_NOT_MET.exitStatus();
    }
}
