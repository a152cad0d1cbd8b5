package dev.lifeboat.drill;

import dev.lifeboat.core.plan.Criticality;
import dev.lifeboat.core.plan.Endpoint;
import dev.lifeboat.core.plan.PostgresCluster;
import dev.lifeboat.redis.RedisTarget;
import dev.lifeboat.redis.sentinel.SentinelGroup;
import dev.lifeboat.redis.warm.CacheWarmer;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.sandbox.Ledger;
import dev.lifeboat.sandbox.Sandbox;
import dev.lifeboat.testkit.RedisHarness;
import dev.lifeboat.testkit.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * The seed's "cache failure": the Redis primary is killed with SIGKILL. The Sentinels elect the replica (quorum 2
 * of 3), the application follows them, and Lifeboat warms the new master with the plan's critical and high warm
 * sets (sessions from the newest snapshot, never over newer keys; the course catalog from PostgreSQL). Sessions the
 * replica had not received are the data loss.
 */
public final class CacheFailure implements Scenario {
    private Endpoint newMaster;

    @Override
    public String name() {
        return "cache-failure";
    }

    @Override
    public String description() {
        return "kill -9 of the Redis primary; Sentinel failover to the replica; cache warmed from the latest snapshot and PostgreSQL";
    }

    @Override
    public String resource() {
        return Sandbox.CACHE;
    }

    @Override
    public String writeKind() {
        return "session";
    }

    @Override
    public Recovery run(Sandbox box, Ledger ledger, Timeline t) {
        Snapshot latest = box.snapshotRedis();
        t.event("the scheduled Redis snapshot " + latest.shortId() + " holds " + latest.manifest().labels().get("keys") + " keys");
        RedisServer primary = box.redis().primary();
        Endpoint old = new Endpoint(primary.host(), primary.port());
        SentinelGroup sentinels = new SentinelGroup(box.redis().sentinels().stream().map(s -> new Endpoint(s.host(), s.port())).toList(),
                RedisHarness.MASTER_NAME);
        long fault = System.currentTimeMillis();
        Probes.inject(primary::crash);
        t.event("fault: killed the Redis primary " + old + " with SIGKILL");
        t.phase("detect", () -> Probes.awaitDown(old.host(), old.port(), Duration.ofSeconds(10)), ms -> "the primary refuses connections");
        t.phase("decide", () -> {
            while (sentinels.masterViews().values().stream().allMatch(v -> v.isPresent() && v.get().equals(old))) {
                Probes.sleep(50);
            }
        }, "the Sentinels agreed the master is down (down-after 1 s, quorum 2 of 3) and elected a replica");
        newMaster = t.phase("promote", () -> {
            while (true) {
                Optional<Endpoint> m = sentinels.agreedMaster();
                if (m.isPresent() && !m.get().equals(old) && sentinels.masterViews().values().stream().allMatch(v -> v.equals(m))) {
                    return m.get();
                }
                Probes.sleep(50);
            }
        }, m -> "every Sentinel names " + m + " as the master");
        t.phase("re-route", () -> awaitCacheHealthy(box.app().base()), "the application reaches the new master through the Sentinels");
        List<CacheWarmer.Outcome> warmed = t.phase("warm", () -> warm(box, latest),
                outcomes -> String.join("; ", outcomes.stream().map(o -> o.priority() + " " + o.set() + ": " + o.keys() + " keys loaded"
                        + (o.alreadyPresent() > 0 ? ", " + o.alreadyPresent() + " already present (replicated before the crash)" : "")).toList()));
        List<String> checks = new java.util.ArrayList<>(List.of("new master " + newMaster + " takes writes"));
        boolean complete = true;
        for (int i = 0; i < warmed.size(); i++) {
            long have = warmed.get(i).keys() + warmed.get(i).alreadyPresent();
            long want = expected.get(i).keys();
            checks.add("warm set " + warmed.get(i).set() + ": " + have + " of " + want + " keys in the cache");
            complete &= have == want && want > 0;
        }
        return new Recovery(fault, complete, checks);
    }

    private List<CacheWarmer.Outcome> expected = List.of();

    private List<CacheWarmer.Outcome> warm(Sandbox box, Snapshot latest) {
        PostgresCluster pg = box.plan().resources().postgres().get(Sandbox.CLUSTER);
        CacheWarmer warmer = new CacheWarmer(RedisTarget.of(newMaster.host(), newMaster.port()), Optional.of(box.repository()), Optional.of(latest),
                set -> {
                    try {
                        return DriverManager.getConnection("jdbc:postgresql://" + pg.primary().host() + ":" + pg.primary().port() + "/" + pg.database(),
                                "postgres", "");
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }, 0);
        List<dev.lifeboat.core.plan.WarmSet> sets = CacheWarmer.select(box.plan().resources().redis().get(Sandbox.CACHE).warm(), Criticality.HIGH);
        expected = warmer.run(sets, true, Progress.NONE);
        return warmer.run(sets, false, Progress.NONE);
    }

    private static void awaitCacheHealthy(URI app) {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(app.resolve("/api/health")).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.body().contains("\"cache\":\"ok\"")) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            Probes.sleep(50);
        }
        throw new IllegalStateException("the application did not reach the new Redis master within 30 s");
    }

    @Override
    public Set<String> missing(Sandbox box, List<String> ids) {
        Set<String> missing = new HashSet<>();
        try (Jedis j = new Jedis(newMaster.host(), newMaster.port(), 5000)) {
            Pipeline p = j.pipelined();
            List<Response<Boolean>> exists = ids.stream().map(p::exists).toList();
            p.sync();
            for (int i = 0; i < ids.size(); i++) {
                if (!exists.get(i).get()) {
                    missing.add(ids.get(i));
                }
            }
        }
        return missing;
    }
}
