package dev.lifeboat.cli.failover;

import dev.lifeboat.cli.PlanAccess;
import dev.lifeboat.cli.output.Output;
import dev.lifeboat.cli.redis.RedisOptions;
import dev.lifeboat.cli.redis.SentinelAccess;
import dev.lifeboat.core.plan.Endpoint;
import dev.lifeboat.core.time.Durations;
import dev.lifeboat.redis.sentinel.Failover;
import dev.lifeboat.redis.sentinel.SentinelGroup;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat failover redis}: the seed's redis-failover.sh, through Sentinel. */
@Command(name = "redis", mixinStandardHelpOptions = true,
        description = {"Fail a Redis master over to a replica through its Sentinels, losing no acknowledged write.",
                "",
                "Checks that the Sentinels agree on the master and reach their quorum; with --to, lets Sentinel elect only "
                        + "that replica (the others' replica-priority is 0 for the duration); pauses writes on the old master "
                        + "until the replica has its whole replication offset; runs SENTINEL FAILOVER; waits until every Sentinel "
                        + "names the new master and it accepts a write; makes the old master a replica; and reports how long "
                        + "writes were unavailable. --dry-run shows the master, the candidates and their lag."},
        footer = {"", "Exit status: 0 failed over (or planned); 95 the failover did not complete; 2 bad arguments."})
public final class FailoverRedisCommand implements Callable<Integer> {
    @Mixin
    PlanAccess access;

    @Mixin
    RedisOptions redis;

    @Mixin
    Output output;

    @Option(names = "--to", paramLabel = "HOST:PORT", description = "The replica to promote (default: Sentinel chooses).")
    String to;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "How long to wait for each step (default 30s).")
    String timeout = "30s";

    @Option(names = "--dry-run", description = "Show what would happen and change nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        redis.refuseServer("a failover takes the master from the plan's Sentinels");
        SentinelGroup sentinels = SentinelAccess.required(redis, access);
        Optional<Endpoint> chosen = Optional.ofNullable(to).map(dev.lifeboat.cli.EndpointOption::parse);
        Failover failover = new Failover(sentinels, redis.primary(access), output::decision);
        Failover.Plan plan = failover.plan(chosen);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dry_run", dryRun);
        m.put("master", plan.master().toString());
        m.put("candidates", plan.candidates().stream().map(Endpoint::toString).toList());
        m.put("to", chosen.map(Endpoint::toString).orElse(null));
        Map<String, Long> lag = new LinkedHashMap<>();
        plan.lagBytes().forEach((e, l) -> lag.put(e.toString(), l));
        m.put("lag_bytes", lag);
        Map<String, String> quorum = new LinkedHashMap<>();
        plan.quorum().forEach((e, q) -> quorum.put(e.toString(), q));
        m.put("quorum", quorum);
        StringBuilder text = new StringBuilder();
        text.append(dryRun ? "Failover plan for " + sentinels.masterName() + " (dry run: nothing changed)\n" : "Failing over " + sentinels.masterName() + "\n");
        m.put("master_answers", plan.masterAnswers());
        text.append("  master      " + plan.master() + (plan.masterAnswers() ? "" : " (does not answer: lag is behind the most up-to-date replica)") + "\n");
        plan.lagBytes().forEach((e, l) -> text.append("  replica     " + e + (l < 0 ? " (does not answer)" : ", " + l + " bytes behind")
                + (chosen.map(e::equals).orElse(false) ? "  <- will be promoted" : "") + "\n"));
        plan.quorum().forEach((e, q) -> text.append("  sentinel    " + e + ": " + q + "\n"));
        if (dryRun) {
            text.append("Run again without --dry-run to fail over.\n");
            output.emit(m, text::toString);
            return 0;
        }
        Failover.Result r = failover.run(plan, Durations.parse(timeout));
        m.put("old_master", r.oldMaster().toString());
        m.put("new_master", r.newMaster().toString());
        m.put("fenced", r.fenced());
        m.put("sentinels_agreed_seconds", r.sentinelsAgreedMillis() / 1000.0);
        m.put("writes_resumed_seconds", r.writableMillis() / 1000.0);
        m.put("phases_ms", r.phases());
        text.append(String.format("Failed over from %s to %s: Sentinels agreed after %.2f s, writes succeed again after %.2f s%s.%n", r.oldMaster(),
                r.newMaster(), r.sentinelsAgreedMillis() / 1000.0, r.writableMillis() / 1000.0,
                r.fenced() ? " (the old master was fenced: no acknowledged write lost)" : " (the old master was down: unreplicated writes may be lost)"));
        output.emit(m, text::toString);
        return 0;
    }
}
