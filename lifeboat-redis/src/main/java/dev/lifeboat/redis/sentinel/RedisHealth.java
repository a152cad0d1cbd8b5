package dev.lifeboat.redis.sentinel;

import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Endpoint;
import dev.lifeboat.redis.RedisTarget;
import dev.lifeboat.redis.ServerInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.Jedis;

/**
 * The state of a Redis instance as an operator checks it before and after a failover: who the master is (per
 * Sentinel, when there are Sentinels), each replica's link state, offset and lag behind the master in bytes and
 * seconds, and whether the Sentinels reach their quorum.
 */
public final class RedisHealth {
    private RedisHealth() {
    }

    public record Replica(Endpoint endpoint, String state, long offset, long lagBytes, long lagSeconds) {
    }

    public record Report(Endpoint master, boolean masterAnswers, String role, long masterOffset, List<Replica> replicas,
                         Map<String, String> sentinelViews, Map<String, String> quorum, boolean healthy, List<String> problems) {
    }

    public static Report check(RedisTarget configuredPrimary, Optional<SentinelGroup> sentinels) {
        List<String> problems = new ArrayList<>();
        Map<String, String> views = new LinkedHashMap<>();
        Map<String, String> quorum = new LinkedHashMap<>();
        Endpoint master = configuredPrimary.endpoint();
        if (sentinels.isPresent()) {
            sentinels.get().masterViews().forEach((n, v) -> views.put(n.toString(), v.map(Endpoint::toString).orElse("no answer")));
            sentinels.get().quorum().forEach((n, q) -> quorum.put(n.toString(), q));
            Optional<Endpoint> agreed = sentinels.get().agreedMaster();
            if (agreed.isPresent()) {
                master = agreed.get();
            } else {
                problems.add("the Sentinels do not agree on the master: " + views);
            }
            if (quorum.values().stream().noneMatch(q -> q.startsWith("OK"))) {
                problems.add("no Sentinel reaches its quorum");
            }
        }
        List<Replica> replicas = new ArrayList<>();
        long masterOffset = -1;
        String role = "unreachable";
        boolean answers = false;
        try (Jedis j = configuredPrimary.at(master).connect()) {
            ServerInfo info = ServerInfo.of(j, "replication");
            answers = true;
            role = info.text("role");
            masterOffset = info.number("master_repl_offset");
            if (!info.isMaster()) {
                problems.add(master + " is a " + role + ", not a master");
            }
            for (int i = 0; info.get("slave" + i).isPresent(); i++) {
                Map<String, String> s = ServerInfo.pairs(info.text("slave" + i));
                long offset = Long.parseLong(s.getOrDefault("offset", "0"));
                Replica r = new Replica(new Endpoint(s.get("ip"), Integer.parseInt(s.get("port"))), s.getOrDefault("state", "?"), offset,
                        Math.max(0, masterOffset - offset), Long.parseLong(s.getOrDefault("lag", "-1")));
                replicas.add(r);
                if (!"online".equals(r.state())) {
                    problems.add("replica " + r.endpoint() + " is " + r.state());
                }
            }
            if (replicas.isEmpty()) {
                problems.add("the master has no connected replica");
            }
        } catch (LifeboatException e) {
            // Its own words (a refused password is not a network problem), with the hint.
            problems.add("the master " + master + " cannot be used: " + e.getMessage() + (e.hint() == null ? "" : " (" + e.hint() + ")"));
        }
        return new Report(master, answers, role, masterOffset, replicas, views, quorum, problems.isEmpty(), problems);
    }
}
