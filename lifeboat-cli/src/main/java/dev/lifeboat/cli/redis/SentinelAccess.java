package dev.lifeboat.cli.redis;

import dev.lifeboat.cli.PlanAccess;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.RedisInstance;
import dev.lifeboat.core.plan.Sentinel;
import dev.lifeboat.redis.sentinel.SentinelGroup;
import java.util.Optional;

/** The plan's Sentinel group for an instance. */
public final class SentinelAccess {
    private SentinelAccess() {
    }

    public static Optional<SentinelGroup> of(RedisOptions redis, PlanAccess access) {
        return redis.planned(access).flatMap(RedisInstance::sentinel).map(s -> new SentinelGroup(s.nodes(), s.masterName()));
    }

    public static SentinelGroup required(RedisOptions redis, PlanAccess access) {
        Optional<RedisInstance> planned = redis.planned(access);
        if (planned.isEmpty()) {
            throw new LifeboatException(ErrorCode.USAGE, "a failover needs --instance NAME from the plan", "The plan names the instance's Sentinels.");
        }
        Sentinel s = planned.get().sentinel().orElseThrow(() -> new LifeboatException(ErrorCode.USAGE, "the plan gives instance '"
                + planned.get().name() + "' no sentinel section", "Add resources.redis." + planned.get().name() + ".sentinel with its nodes."));
        return new SentinelGroup(s.nodes(), s.masterName());
    }
}
