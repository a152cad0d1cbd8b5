package dev.lifeboat.redis.warm;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Criticality;
import dev.lifeboat.core.plan.WarmSet;
import dev.lifeboat.redis.RedisTarget;
import dev.lifeboat.redis.rdb.RdbEntry;
import dev.lifeboat.redis.rdb.RdbReader;
import dev.lifeboat.redis.rdb.RdbSnapshotReader;
import dev.lifeboat.redis.restore.CacheRestore;
import dev.lifeboat.redis.restore.RestoreReport;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.files.Progress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.SetParams;

/**
 * Loads the plan's warm sets into a Redis instance in priority order (critical first), at a bounded rate, so the
 * application's first requests after a recovery hit a warm cache. A set comes from the newest Redis snapshot (keys
 * matching its patterns, replayed with RESTORE, TTLs kept, never over a key the target already holds) or from the rows of a PostgreSQL query
 * (first column the key, second the value; as a hash, the other columns become fields). A dry run counts what each
 * set would load without writing anything.
 */
public final class CacheWarmer {
    static final int BATCH = 500;

    private final RedisTarget target;
    private final Optional<Repository> repo;
    private final Optional<Snapshot> snapshot;
    private final Function<WarmSet, Connection> postgres;
    private final double keysPerSecond;

    public CacheWarmer(RedisTarget target, Optional<Repository> repo, Optional<Snapshot> snapshot, Function<WarmSet, Connection> postgres,
                       double keysPerSecond) {
        this.target = target;
        this.repo = repo;
        this.snapshot = snapshot;
        this.postgres = postgres;
        this.keysPerSecond = keysPerSecond;
    }

    /**
     * What one set loaded (or, in a dry run, would load); {@code alreadyPresent} counts snapshot keys the target held
     * already and that were left alone.
     */
    /**
     * One set's result. {@code changedMeanwhile}: keys of a snapshot set that differed when read back right after
     * their RESTORE, changed by the live application meanwhile (a warm never fails on them).
     */
    public record Outcome(String set, String priority, String source, long keys, long alreadyPresent, long changedMeanwhile, long millis) {
    }

    /** The sets at or above {@code threshold} (null: all), critical first, then by name. */
    public static List<WarmSet> select(Map<String, WarmSet> sets, Criticality threshold) {
        return sets.values().stream().filter(s -> threshold == null || s.priority().ordinal() <= threshold.ordinal())
                .sorted(Comparator.comparing(WarmSet::priority).thenComparing(WarmSet::name)).toList();
    }

    public List<Outcome> run(List<WarmSet> sets, boolean dryRun, Progress progress) {
        List<Outcome> out = new ArrayList<>();
        for (WarmSet set : sets) {
            long t0 = System.nanoTime();
            long[] present = {0, 0}; // already present, changed meanwhile
            long keys = switch (set.source()) {
                case SNAPSHOT -> dryRun ? countInSnapshot(set) : loadFromSnapshot(set, progress, present);
                case POSTGRES -> fromPostgres(set, dryRun, progress);
            };
            out.add(new Outcome(set.name(), set.priority().name().toLowerCase(java.util.Locale.ROOT), describe(set), keys, present[0], present[1],
                    (System.nanoTime() - t0) / 1_000_000));
        }
        return out;
    }

    public static String describe(WarmSet set) {
        return switch (set.source()) {
            case SNAPSHOT -> "snapshot keys " + String.join(", ", set.keys());
            case POSTGRES -> "postgres " + set.postgres().orElse("?") + ": " + set.query().orElse("?");
        };
    }

    private Snapshot snapshot(WarmSet set) {
        return snapshot.orElseThrow(() -> new LifeboatException(ErrorCode.SNAPSHOT_NOT_FOUND, "warm set '" + set.name()
                + "' loads from a snapshot, but there is no Redis backup of this instance", "Take one with 'lifeboat backup redis'."));
    }

    private long countInSnapshot(WarmSet set) {
        long[] n = {0};
        forEachInSnapshot(set, key -> n[0]++);
        return n[0];
    }

    /** The names of a snapshot set's keys in the snapshot, those not yet expired: what a warm of it must leave in the cache. */
    public List<String> keysInSnapshot(WarmSet set) {
        List<String> keys = new ArrayList<>();
        forEachInSnapshot(set, keys::add);
        return keys;
    }

    private void forEachInSnapshot(WarmSet set, java.util.function.Consumer<String> key) {
        KeyPattern p = new KeyPattern(set.keys());
        long now = System.currentTimeMillis();
        RdbSnapshotReader.read(repo.orElseThrow(), snapshot(set), new RdbReader.Visitor() {
            @Override
            public void entry(RdbEntry e) {
                if (p.matches(e.keyText()) && (e.expireAt() < 0 || e.expireAt() > now)) {
                    key.accept(e.keyText());
                }
            }

            @Override
            public boolean wantsValues() {
                return false;
            }
        });
    }

    private long loadFromSnapshot(WarmSet set, Progress progress, long[] present) {
        KeyPattern p = new KeyPattern(set.keys());
        RestoreReport r = new CacheRestore(repo.orElseThrow(), new RateLimiter(keysPerSecond))
                .load(snapshot(set), target, e -> p.matches(e.keyText()), false, true, progress);
        present[0] = r.phases().getOrDefault("already_present", 0L);
        present[1] = r.phases().getOrDefault("changed_meanwhile", 0L);
        return r.restored();
    }

    private long fromPostgres(WarmSet set, boolean dryRun, Progress progress) {
        String sql = set.query().orElseThrow();
        try (Connection c = postgres.apply(set)) {
            if (dryRun) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM (" + sql + ") AS warm_set")) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
            c.setAutoCommit(false);
            RateLimiter rate = new RateLimiter(keysPerSecond);
            long loaded = 0;
            try (Statement st = c.createStatement(); Jedis j = target.connect()) {
                if (!dev.lifeboat.redis.ServerInfo.of(j, "replication").isMaster()) {
                    throw new LifeboatException(ErrorCode.USAGE, "warm set '" + set.name() + "': " + target + " is a replica, which takes no writes",
                            "Warm the current master: after a failover 'lifeboat health' names it; pass it with --to HOST:PORT.");
                }
                st.setFetchSize(BATCH);
                try (ResultSet rs = st.executeQuery(sql)) {
                    ResultSetMetaData md = rs.getMetaData();
                    if (md.getColumnCount() < 2) {
                        throw new LifeboatException(ErrorCode.USAGE, "warm set '" + set.name() + "': the query returns " + md.getColumnCount()
                                + " column(s); it needs the key and at least one value column", null);
                    }
                    Pipeline pipe = j.pipelined();
                    int inBatch = 0;
                    while (rs.next()) {
                        String key = rs.getString(1);
                        if (key == null) {
                            continue;
                        }
                        write(pipe, set, key, rs, md);
                        loaded++;
                        if (++inBatch == BATCH) {
                            checked(pipe.syncAndReturnAll(), set);
                            rate.acquired(inBatch);
                            progress.update(loaded, 0, loaded);
                            pipe = j.pipelined();
                            inBatch = 0;
                        }
                    }
                    checked(pipe.syncAndReturnAll(), set);
                    rate.acquired(inBatch);
                }
            }
            c.commit();
            return loaded;
        } catch (SQLException e) {
            throw new LifeboatException(ErrorCode.SOURCE_UNREACHABLE, ErrorCode.SOURCE_UNREACHABLE.format("PostgreSQL for warm set '" + set.name() + "'",
                    e.getMessage()), "Check the query and that the cluster " + set.postgres().orElse("") + " answers.", e);
        }
    }

    /** Pipelined replies carry errors (READONLY after a failover, OOM under noeviction) instead of throwing them. */
    private static void checked(java.util.List<Object> replies, WarmSet set) {
        for (Object reply : replies) {
            if (reply instanceof Exception e) {
                throw new LifeboatException(ErrorCode.USAGE, "warm set '" + set.name() + "': Redis refused a write: " + e.getMessage(),
                        "READONLY: warm the current master (--to); OOM: raise maxmemory or choose an evicting maxmemory-policy.");
            }
        }
    }

    private static void write(Pipeline p, WarmSet set, String key, ResultSet rs, ResultSetMetaData md) throws SQLException {
        if (set.shape() == WarmSet.Shape.STRING) {
            String value = rs.getString(2);
            SetParams params = SetParams.setParams();
            set.ttl().ifPresent(t -> params.px(t.toMillis()));
            p.set(key, value == null ? "" : value, params);
        } else {
            Map<String, String> fields = new LinkedHashMap<>();
            for (int c = 2; c <= md.getColumnCount(); c++) {
                String v = rs.getString(c);
                if (v != null) {
                    fields.put(md.getColumnLabel(c), v);
                }
            }
            p.del(key);
            if (!fields.isEmpty()) {
                p.hset(key, fields);
                set.ttl().ifPresent(t -> p.pexpire(key, t.toMillis()));
            }
        }
    }
}
