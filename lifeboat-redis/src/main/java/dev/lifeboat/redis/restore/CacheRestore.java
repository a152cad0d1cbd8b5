package dev.lifeboat.redis.restore;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.redis.RedisTarget;
import dev.lifeboat.redis.ServerInfo;
import dev.lifeboat.redis.rdb.RdbEntry;
import dev.lifeboat.redis.rdb.RdbReader;
import dev.lifeboat.redis.rdb.RdbSnapshotReader;
import dev.lifeboat.redis.rdb.RdbSummary;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.files.Progress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.RestoreParams;

/**
 * Recovers a Redis snapshot into a running server with {@code RESTORE}: the RDB is first read to its end and its
 * checksum checked, so a damaged backup is refused before the target is touched; the target must be an empty
 * master; keys are then replayed in pipelined batches with their absolute expiry ({@code ABSTTL}), each batch read
 * back with {@code DUMP} and compared value for value ({@link TargetComparison}). Keys whose TTL ran out since the
 * backup are skipped and counted. Function libraries are loaded first.
 */
public final class CacheRestore {
    static final int BATCH = 500;

    private final Repository repo;
    private final dev.lifeboat.redis.warm.RateLimiter rate;

    public CacheRestore(Repository repo) {
        this(repo, new dev.lifeboat.redis.warm.RateLimiter(0));
    }

    /** A restore that loads at most as fast as {@code rate} allows (cache warming next to live traffic). */
    public CacheRestore(Repository repo, dev.lifeboat.redis.warm.RateLimiter rate) {
        this.repo = repo;
        this.rate = rate;
    }

    /** Restores every key of {@code snapshot} into {@code target}, which must be empty. */
    public RestoreReport intoRunning(Snapshot snapshot, RedisTarget target, Progress progress) {
        return load(snapshot, target, k -> true, true, progress);
    }

    /**
     * Restores the keys accepted by {@code keys} into {@code target}, which may hold data; existing keys are
     * replaced only when {@code requireEmpty} is false (cache warming from a snapshot).
     */
    public RestoreReport load(Snapshot snapshot, RedisTarget target, Predicate<RdbEntry> keys, boolean requireEmpty, Progress progress) {
        return load(snapshot, target, keys, requireEmpty, false, progress);
    }

    /**
     * As {@link #load(Snapshot, RedisTarget, Predicate, boolean, Progress)}; with {@code keepExisting}, keys the target
     * already holds are left as they are (counted as already present) instead of replaced: cache warming must not
     * put older snapshot values over newer live ones.
     */
    public RestoreReport load(Snapshot snapshot, RedisTarget target, Predicate<RdbEntry> keys, boolean requireEmpty, boolean keepExisting,
                              Progress progress) {
        Map<String, Long> phases = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        RdbSummary summary = check(snapshot);
        phases.put("check", (System.nanoTime() - t0) / 1_000_000);
        try (Jedis j = target.connect()) {
            ServerInfo info = ServerInfo.of(j, "server", "replication", "keyspace");
            if (!info.isMaster()) {
                throw new LifeboatException(ErrorCode.TARGET_IN_USE, target + " is a replica; it cannot take writes",
                        "Restore into a master (or an instance without replicaof).");
            }
            int targetRdb = rdbVersionOf(info.text("redis_version"));
            if (targetRdb < summary.version()) {
                throw new LifeboatException(ErrorCode.RDB_VERSION_UNSUPPORTED, "the backup is RDB version " + summary.version()
                        + " but " + target + " runs Redis " + info.text("redis_version") + ", which reads up to version " + targetRdb, null);
            }
            long existing = info.keys();
            if (requireEmpty && existing > 0) {
                throw new LifeboatException(ErrorCode.TARGET_NOT_EMPTY, target + " already holds " + existing
                        + " keys; a cache recovery replays into an empty instance only", null);
            }
            long t1 = System.nanoTime();
            Loader loader = new Loader(j, summary.version(), keys, !requireEmpty && !keepExisting, progress, summary.keys(), rate);
            loader.keepExisting = keepExisting;
            RdbSnapshotReader.read(repo, snapshot, loader);
            loader.flush();
            phases.put("load_and_compare", (System.nanoTime() - t1) / 1_000_000);
            TargetComparison c = loader.comparison;
            if (c.mismatched > 0 && !keepExisting) {
                throw new LifeboatException(ErrorCode.RESTORE_MISMATCH, c.mismatched + " keys differ from the backup after the restore into "
                        + target + ", e.g. " + String.join("; ", c.examples()), null);
            }
            // Warming a live master: the application may change, delete or evict a key between its RESTORE (whose
            // reply was checked) and the read-back. Counted, not a failure that would leave the lower sets cold.
            phases.put("changed_meanwhile", c.mismatched);
            phases.put("already_present", loader.alreadyPresent);
            return new RestoreReport("restore-commands", summary.keys(), loader.restored, loader.skippedExpired + c.expired, c.compared,
                    c.reencoded, c.mismatched, c.digest(), phases);
        }
    }

    /** Reads the whole RDB once and checks it; a damaged or truncated backup fails here. */
    public RdbSummary check(Snapshot snapshot) {
        return RdbSnapshotReader.check(repo, snapshot);
    }

    /**
     * Reads every key of {@code snapshot} back from {@code target} and compares it (after the target loaded the RDB
     * itself). Fails with {@link ErrorCode#RESTORE_MISMATCH} when anything differs.
     */
    public RestoreReport compare(Snapshot snapshot, Jedis target, Progress progress, long total, Map<String, Long> phases) {
        long t0 = System.nanoTime();
        Loader loader = new Loader(target, 0, k -> true, false, progress, total, new dev.lifeboat.redis.warm.RateLimiter(0));
        loader.compareOnly = true;
        RdbSnapshotReader.read(repo, snapshot, loader);
        loader.flush();
        TargetComparison c = loader.comparison;
        phases.put("compare", (System.nanoTime() - t0) / 1_000_000);
        if (c.mismatched > 0) {
            throw new LifeboatException(ErrorCode.RESTORE_MISMATCH, c.mismatched + " keys differ from the backup after loading, e.g. "
                    + String.join("; ", c.examples()), null);
        }
        return new RestoreReport("rdb-file", total, c.compared + c.reencoded, c.expired, c.compared, c.reencoded, 0, c.digest(), phases);
    }

    /** The newest RDB version a Redis release reads. */
    static int rdbVersionOf(String redisVersion) {
        String[] p = redisVersion.split("\\.");
        int major = p.length > 0 ? parse(p[0]) : 0;
        int minor = p.length > 1 ? parse(p[1]) : 0;
        if (major > 7 || (major == 7 && minor >= 4)) {
            return 12;
        }
        if (major == 7 && minor >= 2) {
            return 11;
        }
        return major == 7 ? 10 : major == 6 ? 9 : 8;
    }

    private static int parse(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Batches keys into pipelines of RESTORE then DUMP, comparing each batch as it completes. */
    private static final class Loader implements RdbReader.Visitor {
        private final Jedis jedis;
        private final int rdbVersion;
        private final Predicate<RdbEntry> accept;
        private final boolean replace;
        private final Progress progress;
        private final long total;
        private final List<RdbEntry> batch = new ArrayList<>();
        final TargetComparison comparison = new TargetComparison();
        boolean compareOnly;
        boolean keepExisting;
        long alreadyPresent;
        long restored;
        long skippedExpired;
        private long seen;
        private int db = -1;
        private final dev.lifeboat.redis.warm.RateLimiter rate;

        Loader(Jedis jedis, int rdbVersion, Predicate<RdbEntry> accept, boolean replace, Progress progress, long total,
               dev.lifeboat.redis.warm.RateLimiter rate) {
            this.rate = rate;
            this.jedis = jedis;
            this.rdbVersion = rdbVersion;
            this.accept = accept;
            this.replace = replace;
            this.progress = progress;
            this.total = total;
        }

        @Override
        public void function(byte[] code) {
            if (compareOnly) {
                return;
            }
            if (!keepExisting) {
                jedis.functionLoadReplace(new String(code, StandardCharsets.UTF_8));
                return;
            }
            // Warming leaves newer live data alone, functions too: a library the server has already is kept.
            try {
                jedis.functionLoad(new String(code, StandardCharsets.UTF_8));
            } catch (JedisDataException ex) {
                if (ex.getMessage() == null || !ex.getMessage().contains("already exists")) {
                    throw ex;
                }
            }
        }

        @Override
        public void entry(RdbEntry e) {
            seen++;
            if (!accept.test(e)) {
                return;
            }
            if (!compareOnly && e.expireAt() >= 0 && e.expireAt() <= System.currentTimeMillis()) {
                skippedExpired++;
                return;
            }
            batch.add(e);
            if (batch.size() >= BATCH) {
                flush();
            }
        }

        void flush() {
            if (batch.isEmpty()) {
                return;
            }
            Pipeline p = jedis.pipelined();
            List<Response<String>> restores = new ArrayList<>();
            List<Response<byte[]>> dumps = new ArrayList<>();
            // A SELECT the server refuses (fewer databases, cluster mode) would send the restores and the comparison
            // to the database selected before, and the comparison would pass: every reply is checked.
            List<Response<String>> selects = new ArrayList<>();
            int current = db;
            if (!compareOnly) {
                for (RdbEntry e : batch) {
                    if (e.db() != current) {
                        selects.add(p.select(e.db()));
                        current = e.db();
                    }
                    RestoreParams params = RestoreParams.restoreParams();
                    if (replace) {
                        params.replace();
                    }
                    if (e.expireAt() >= 0) {
                        params.absTtl();
                    }
                    restores.add(p.restore(e.key(), Math.max(0, e.expireAt()), e.dumpPayload(rdbVersion), params));
                }
            }
            for (RdbEntry e : batch) {
                if (e.db() != current) {
                    selects.add(p.select(e.db()));
                    current = e.db();
                }
                dumps.add(p.dump(e.key()));
            }
            p.sync();
            for (Response<String> selected : selects) {
                try {
                    selected.get();
                } catch (JedisDataException ex) {
                    throw new LifeboatException(ErrorCode.USAGE, "the target refused a SELECT of a database the snapshot uses: " + ex.getMessage(),
                            "Give the target as many databases as the source had (the 'databases' setting); a cluster-mode target has only db 0.");
                }
            }
            db = current;
            long now = System.currentTimeMillis();
            for (int i = 0; i < batch.size(); i++) {
                if (!compareOnly) {
                    try {
                        restores.get(i).get();
                        restored++;
                    } catch (JedisDataException ex) {
                        if (keepExisting && ex.getMessage() != null && ex.getMessage().startsWith("BUSYKEY")) {
                            alreadyPresent++;
                            continue;
                        }
                        throw new LifeboatException(ErrorCode.RESTORE_MISMATCH, "RESTORE of '" + batch.get(i).keyText() + "' failed: "
                                + ex.getMessage(), null, ex);
                    }
                }
                comparison.compare(batch.get(i), dumps.get(i).get(), now);
            }
            progress.update(seen, total, seen);
            rate.acquired(batch.size());
            batch.clear();
        }
    }
}
