package dev.lifeboat.cli.health;

import dev.lifeboat.cli.PlanAccess;
import dev.lifeboat.cli.output.Output;
import dev.lifeboat.cli.redis.RedisOptions;
import dev.lifeboat.cli.redis.SentinelAccess;
import dev.lifeboat.redis.sentinel.RedisHealth;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code lifeboat health}: the replication state of a protected system. */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = {"Show the replication health of a Redis instance: the master (as each Sentinel sees it), each replica's "
                + "state, offset and lag, and the Sentinel quorum."},
        footer = {"", "Exit status: 0 healthy; 102 a problem was found (listed, replication-degraded); 90 the master does not answer "
                + "(source-unreachable)."})
public final class HealthCommand implements Callable<Integer> {
    @Mixin
    PlanAccess access;

    @Mixin
    RedisOptions redis;

    @Mixin
    Output output;

    @Override
    public Integer call() {
        RedisHealth.Report r = RedisHealth.check(redis.primary(access), SentinelAccess.of(redis, access));
        output.emit(r, () -> {
            StringBuilder t = new StringBuilder();
            t.append(String.format("master    %s (%s, offset %d)%n", r.master(), r.masterAnswers() ? r.role() : "does not answer", r.masterOffset()));
            r.replicas().forEach(x -> t.append(String.format("replica   %s %s, offset %d, %d bytes behind, last contact %d s ago%n", x.endpoint(),
                    x.state(), x.offset(), x.lagBytes(), x.lagSeconds())));
            r.sentinelViews().forEach((n, v) -> t.append(String.format("sentinel  %s sees master %s; %s%n", n, v, r.quorum().getOrDefault(n, ""))));
            t.append(r.healthy() ? "Healthy.\n" : "Problems:\n  " + String.join("\n  ", r.problems()) + "\n");
            return t.toString();
        });
        if (r.healthy()) {
            return 0;
        }
        return r.masterAnswers() ? dev.lifeboat.core.error.ErrorCode.REPLICATION_DEGRADED.exitStatus()
                : dev.lifeboat.core.error.ErrorCode.SOURCE_UNREACHABLE.exitStatus();
    }
}
