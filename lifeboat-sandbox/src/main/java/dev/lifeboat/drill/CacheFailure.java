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
            long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
            while (sentinels.masterViews().values().stream().allMatch(v -> v.isPresent() && v.get().equals(old))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("the Sentinels did not act on the master's failure within " + DEADLINE_MILLIS / 1000 + " s");
                }
                Probes.sleep(50);
            }
        }, "the Sentinels agreed the master is down (down-after 1 s, quorum 2 of 3) and elected a replica");
        newMaster = t.phase("promote", () -> {
            long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
            while (true) {
                Optional<Endpoint> m = sentinels.agreedMaster();
                if (m.isPresent() && !m.get().equals(old) && sentinels.masterViews().values().stream().allMatch(v -> v.equals(m))) {
                    return m.get();
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("the Sentinels did not agree on a new master within " + DEADLINE_MILLIS / 1000 + " s: "
                            + sentinels.masterViews());
                }
                Probes.sleep(50);
            }
        }, m -> "every Sentinel names " + m + " as the master");
        t.phase("re-route", () -> awaitCacheHealthy(box.app().base()), "the application reaches the new master through the Sentinels");
        List<CacheWarmer.Outcome> warmed = t.phase("warm", () -> warm(box, latest),
                outcomes -> String.join("; ", outcomes.stream().map(o -> o.priority() + " " + o.set() + ": " + o.keys() + " keys loaded"
                        + (o.alreadyPresent() > 0 ? ", " + o.alreadyPresent() + " already present (replicated before the crash)" : "")).toList()));
        // Checked against Redis itself, not the warmer's own counts: the new master takes a write, and holds each
        // warm set's keys, key by key (a snapshot set's as the snapshot names them, a PostgreSQL set's as its query
        // yields them): a count by pattern would pass on the sessions the workload keeps adding.
        List<String> checks = new java.util.ArrayList<>();
        boolean complete;
        try (Jedis j = new Jedis(newMaster.host(), newMaster.port(), 5000)) {
            boolean master = dev.lifeboat.redis.ServerInfo.of(j, "replication").isMaster();
            boolean wrote = "OK".equals(j.set("lifeboat:drill:probe", Long.toString(System.currentTimeMillis()),
                    redis.clients.jedis.params.SetParams.setParams().px(60_000)));
            checks.add("new master " + newMaster + (master && wrote ? " is a master and took a write" : " did not take a write"));
            complete = master && wrote;
            List<dev.lifeboat.core.plan.WarmSet> sets = CacheWarmer.select(box.plan().resources().redis().get(Sandbox.CACHE).warm(), Criticality.HIGH);
            for (int i = 0; i < sets.size(); i++) {
                boolean fromSnapshot = sets.get(i).source() == dev.lifeboat.core.plan.WarmSet.Source.SNAPSHOT;
                List<String> keys = fromSnapshot ? warmer.keysInSnapshot(sets.get(i)) : queryKeys(box, sets.get(i));
                long have = present(j, keys);
                CacheWarmer.Outcome o = warmed.get(i);
                checks.add("warm set " + sets.get(i).name() + ": " + have + " of " + keys.size() + " keys in the cache"
                        + (fromSnapshot && o.keys() == 0 && o.alreadyPresent() > 0
                                ? " (none needed loading from the repository: all survived on the promoted replica)" : ""));
                complete &= have == keys.size() && !keys.isEmpty();
            }
        }
        return new Recovery(fault, complete, checks);
    }

    /** How long the Sentinels get to act before the drill fails. */
    static final long DEADLINE_MILLIS = 60_000;

    private static long present(Jedis j, List<String> keys) {
        Pipeline p = j.pipelined();
        List<Response<Boolean>> exists = keys.stream().map(p::exists).toList();
        p.sync();
        return exists.stream().filter(Response::get).count();
    }

    /** The sandbox's PostgreSQL primary, where the warm sets' queries run. */
    private static java.sql.Connection database(Sandbox box) throws SQLException {
        PostgresCluster pg = box.plan().resources().postgres().get(Sandbox.CLUSTER);
        return DriverManager.getConnection("jdbc:postgresql://" + pg.primary().host() + ":" + pg.primary().port() + "/" + pg.database(), "postgres", "");
    }

    private static List<String> queryKeys(Sandbox box, dev.lifeboat.core.plan.WarmSet set) {
        try (java.sql.Connection c = database(box); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery(set.query().orElseThrow())) {
            List<String> keys = new java.util.ArrayList<>();
            while (rs.next()) {
                keys.add(rs.getString(1));
            }
            return keys;
        } catch (SQLException e) {
            throw new IllegalStateException("reading the keys of warm set " + set.name() + ": " + e.getMessage(), e);
        }
    }

    /** The warmer of this run, which also names the keys a snapshot set must leave in the cache. */
    private CacheWarmer warmer;

    private List<CacheWarmer.Outcome> warm(Sandbox box, Snapshot latest) {
        CacheWarmer warmer = new CacheWarmer(RedisTarget.of(newMaster.host(), newMaster.port()), Optional.of(box.repository()), Optional.of(latest),
                set -> {
                    try {
                        return database(box);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }, 0);
        List<dev.lifeboat.core.plan.WarmSet> sets = CacheWarmer.select(box.plan().resources().redis().get(Sandbox.CACHE).warm(), Criticality.HIGH);
        this.warmer = warmer;
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
