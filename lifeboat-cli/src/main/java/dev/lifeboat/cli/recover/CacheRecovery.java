package dev.lifeboat.cli.recover;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Output;
import dev.lifeboat.cli.output.Sizes;
import dev.lifeboat.cli.redis.RedisOptions;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Endpoint;
import dev.lifeboat.core.process.Binaries;
import dev.lifeboat.core.time.Durations;
import dev.lifeboat.redis.RedisTarget;
import dev.lifeboat.redis.ServerInfo;
import dev.lifeboat.redis.rdb.RdbSnapshotReader;
import dev.lifeboat.redis.restore.CacheRestore;
import dev.lifeboat.redis.restore.DataDirRestore;
import dev.lifeboat.redis.restore.RestoreReport;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.chunk.ChunkId;
import dev.lifeboat.repository.files.TreeEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.Jedis;

/**
 * {@code recover --mode cache}: a Redis snapshot into a running empty instance ({@code --to HOST:PORT}, keys
 * replayed with RESTORE) or into the data directory of a stopped one ({@code --data-dir DIR}, optionally started
 * on {@code --port}). Both check the RDB to its end before touching the target and compare every key afterwards.
 */
final class CacheRecovery {
    /** Assumed RESTORE rate for the estimate, from RedisProtectionIT on a 2-core machine (~100k keys in under 2 s). */
    static final double RESTORE_KEYS_PER_SECOND = 50_000;
    /** Assumed RDB load rate of redis-server. */
    static final double LOAD_MB_PER_SECOND = 200;

    private final RepositoryAccess access;
    private final Output output;
    private final RedisOptions redis;

    private Duration loadLimit;

    CacheRecovery(RepositoryAccess access, Output output, RedisOptions redis) {
        this.access = access;
        this.output = output;
        this.redis = redis;
    }

    int run(Optional<String> backupId, Optional<String> to, Optional<Path> dataDir, Optional<Integer> port, Duration loadLimit, boolean dryRun) {
        if (to.isPresent() == dataDir.isPresent()) {
            throw new LifeboatException(ErrorCode.USAGE, "cache recovery needs exactly one of --to HOST:PORT and --data-dir DIR",
                    "--to replays keys into a running empty instance; --data-dir places the RDB for a stopped one.");
        }
        if (to.isPresent() && port.isPresent()) {
            throw new LifeboatException(ErrorCode.USAGE, "--port starts Redis on a --data-dir; with --to the port is the one in HOST:PORT",
                    "Drop --port, or use --data-dir DIR --port PORT.");
        }
        this.loadLimit = loadLimit;
        String instance = redis.instanceName().orElseThrow(() -> new LifeboatException(ErrorCode.USAGE, "cache recovery needs --instance NAME",
                "Name the Redis instance whose backups to use (the snapshots' name)."));
        Repository repo = access.open();
        try (dev.lifeboat.cli.ReadLock lock = dryRun ? dev.lifeboat.cli.ReadLock.none()
                : dev.lifeboat.cli.ReadLock.take(repo, "recover cache " + instance, output::decision)) {
            return run(repo, instance, backupId, to, dataDir, port, dryRun);
        }
    }

    private int run(Repository repo, String instance, Optional<String> backupId, Optional<String> to, Optional<Path> dataDir, Optional<Integer> port,
                    boolean dryRun) {
        Snapshot snapshot = choose(repo, instance, backupId, to.isPresent());
        if (to.isPresent() && DataDirRestore.isAof(snapshot)) {
            throw new LifeboatException(ErrorCode.USAGE, "snapshot " + snapshot.shortId() + " holds an AOF, which restores into a data directory only",
                    "Use --data-dir DIR (and --port to start Redis there with appendonly yes), or --backup-id of an RDB snapshot.");
        }
        Map<String, String> l = snapshot.manifest().labels();
        long keys = Long.parseLong(l.getOrDefault("keys", "0"));
        long bytes = snapshot.manifest().stats().bytes();
        double mbps = measureRead(repo, snapshot);
        boolean live = to.isPresent();
        double seconds = 2 * bytes / 1e6 / mbps + (live ? keys / RESTORE_KEYS_PER_SECOND : bytes / 1e6 / LOAD_MB_PER_SECOND + keys / RESTORE_KEYS_PER_SECOND) + 1;
        Optional<RedisTarget> target = to.map(t -> redis.primary(access.plans()).at(dev.lifeboat.cli.EndpointOption.parse(t)));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dry_run", dryRun);
        m.put("instance", instance);
        m.put("backup", snapshot.id());
        m.put("backup_time", snapshot.manifest().time());
        m.put("rdb_version", l.get("rdb_version"));
        m.put("keys", keys);
        m.put("fetch_bytes", bytes);
        m.put("method", live ? "restore-commands" : "rdb-file");
        m.put("target", live ? target.get().toString() : dataDir.get().toString());
        m.put("estimate_seconds", Math.round(seconds * 10) / 10.0);
        StringBuilder text = new StringBuilder();
        text.append(dryRun ? "Cache recovery plan for " + instance + " (dry run: nothing changed)\n" : "Recovering cache " + instance + "\n");
        text.append(String.format("  backup    %s taken %s from %s, RDB v%s, %s keys (%s with TTL), %s%n", snapshot.shortId(), snapshot.manifest().time(),
                l.get("source"), l.get("rdb_version"), keys, l.get("expires"), Sizes.bytes(bytes)));
        if (live) {
            String state = describeTarget(target.get());
            m.put("target_state", state);
            text.append(String.format("  into      %s, %s: keys replayed with RESTORE (TTLs kept), each read back and compared%n", target.get(), state));
        } else {
            boolean aof = DataDirRestore.isAof(snapshot);
            text.append(String.format("  into      %s: %s (existing dump and AOF moved aside)%s%n", dataDir.get(),
                    aof ? "AOF placed as appendonlydir" : "RDB placed as dump.rdb",
                    port.map(p -> ", redis-server started on port " + p + (aof ? " with appendonly yes" : " and every key compared"))
                            .orElse("; start redis-server there yourself")));
        }
        text.append(String.format("  estimate  about %s (read twice at the measured %.0f MB/s, %s)%n", Durations.format(Duration.ofSeconds(Math.max(1, (long) seconds))),
                mbps, live ? "RESTORE at ~50k keys/s" : "load at ~200 MB/s"));
        if (dryRun) {
            text.append("Run again with --confirm to recover.\n");
            output.emit(m, text::toString);
            return 0;
        }
        long t0 = System.nanoTime();
        RestoreReport report;
        if (live) {
            report = new CacheRestore(repo).intoRunning(snapshot, target.get(), output.progress("restore " + instance));
        } else {
            report = placeAndMaybeStart(repo, snapshot, dataDir.get(), port, keys, m, text);
        }
        m.put("report", report);
        m.put("total_seconds", (System.nanoTime() - t0) / 1e9);
        text.append(String.format("  restored  %d keys (%d expired since the backup, not restored)%n", report.restored(), report.expired()));
        if (report.compared() + report.reencoded() > 0) {
            text.append(String.format("  checked   %d keys identical to the backup%s; digest %s%n", report.compared(),
                    report.reencoded() > 0 ? " and " + report.reencoded() + " re-encoded by the target" : "", report.digest().substring(0, 16)));
        }
        text.append(String.format("Recovered in %.1f s.%n", (System.nanoTime() - t0) / 1e9));
        output.emit(m, text::toString);
        return 0;
    }

    private RestoreReport placeAndMaybeStart(Repository repo, Snapshot snapshot, Path dir, Optional<Integer> port, long keys,
                                             Map<String, Object> m, StringBuilder text) {
        // The recovered server holds the instance's sessions: it asks for the instance's password, as the original
        // does. Looked up before anything in the directory changes.
        Optional<String> password = port.isPresent() ? redis.password(access.plans()) : Optional.empty();
        DataDirRestore.Placement placed = new DataDirRestore(repo, Clock.systemUTC()).place(snapshot, dir, "dump.rdb", "appendonlydir");
        placed.movedAside().forEach(p -> output.decision("moved " + p.getFileName() + " aside so the restored RDB is what loads"));
        m.put("placed", placed.rdb().toString());
        m.put("moved_aside", placed.movedAside().stream().map(Path::toString).toList());
        if (port.isEmpty()) {
            if (placed.aof()) {
                // The AOF is the data: started with appendonly no, Redis would load nothing, and a later CONFIG SET
                // appendonly yes would rewrite the AOF from that empty dataset.
                text.append("  placed    " + placed.rdb() + "; start redis-server with --dir " + dir
                        + " --appendonly yes --appenddirname appendonlydir (it loads the AOF; with appendonly no it would start empty)\n");
                return new RestoreReport("aof-files", keys, 0, 0, 0, 0, 0, "", Map.of());
            }
            text.append("  placed    " + placed.rdb() + "; start redis-server with --dir " + dir + " --appendonly no, then turn AOF on with CONFIG SET\n");
            return new RestoreReport("rdb-file", keys, 0, 0, 0, 0, 0, "", Map.of());
        }
        Map<String, Long> phases = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        long pid = startServer(dir, port.get(), placed.aof(), password);
        m.put("pid", pid);
        m.put("port", port.get());
        RedisTarget started = new RedisTarget(new dev.lifeboat.core.plan.Endpoint("127.0.0.1", port.get()), Optional.empty(), password);
        try (Jedis j = awaitLoaded(started)) {
            phases.put("start_and_load", (System.nanoTime() - t0) / 1_000_000);
            if (placed.aof()) {
                long loaded = j.dbSize();
                text.append("  started   redis-server pid " + pid + " on 127.0.0.1:" + port.get() + " with appendonly yes; it loaded the AOF ("
                        + loaded + " keys in db 0; AOF snapshots are checked by loading, not key by key)\n");
                return new RestoreReport("aof-files", loaded, loaded, 0, 0, 0, 0, "", phases);
            }
            text.append("  started   redis-server pid " + pid + " on 127.0.0.1:" + port.get() + " (AOF off, so the RDB is what loaded)\n");
            return new CacheRestore(repo).compare(snapshot, j, output.progress("compare"), keys, phases);
        }
    }

    /**
     * Starts redis-server on the placed data, on loopback; the password, if any, goes through its standard input
     * (configuration file "-"), never its arguments, which every local user can read.
     */
    private long startServer(Path dir, int port, boolean aof, Optional<String> password) {
        Path log = dir.resolve("redis.log");
        Path pidFile = dir.resolve("redis.pid");
        try {
            Files.deleteIfExists(pidFile);
            ProcessBuilder pb = new ProcessBuilder(Binaries.redisServer().toString(), "-", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--dir", dir.toString(), "--dbfilename", "dump.rdb", "--appendonly", aof ? "yes" : "no", "--daemonize", "yes",
                    "--pidfile", pidFile.toString(), "--logfile", log.toString()).redirectErrorStream(true);
            dev.lifeboat.core.process.ChildEnvironment.scrub(pb.environment()); // the server runs on: none of Lifeboat's secrets
            Process p = pb.start();
            try (java.io.OutputStream in = p.getOutputStream()) {
                if (password.isPresent()) {
                    in.write(("requirepass \"" + password.get().replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                throw LifeboatException.of(ErrorCode.PROCESS_FAILED, "redis-server", "exit status " + p.exitValue() + "; see " + log);
            }
            // redis-server creates the pid file before it writes the number: wait until it parses.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (true) {
                String text = Files.exists(pidFile) ? Files.readString(pidFile).trim() : "";
                if (text.matches("[0-9]+")) {
                    return Long.parseLong(text);
                }
                if (System.nanoTime() > deadline) {
                    throw LifeboatException.of(ErrorCode.PROCESS_FAILED, "redis-server", "no pid in " + pidFile + " after 10 s; see " + log);
                }
                Thread.sleep(50);
            }
        } catch (IOException e) {
            throw LifeboatException.of(ErrorCode.PROCESS_FAILED, "redis-server", e.getMessage() + "; see " + log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted while starting redis-server", null, e);
        }
    }

    /** Waits (up to --timeout) until the started server answers and has finished loading its data. */
    private Jedis awaitLoaded(RedisTarget t) {
        long deadline = System.nanoTime() + loadLimit.toNanos();
        while (true) {
            try {
                Jedis j = t.connect();
                if (ServerInfo.of(j, "persistence").number("loading") == 0) {
                    return j;
                }
                j.close();
                if (System.nanoTime() > deadline) {
                    throw new LifeboatException(ErrorCode.PROCESS_FAILED, ErrorCode.PROCESS_FAILED.format("waiting for redis-server on " + t + " to load",
                            "still loading after " + Durations.format(loadLimit) + "; it goes on loading"),
                            "Wait for INFO persistence to show loading:0, or give more --timeout next time.");
                }
            } catch (LifeboatException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted", null, e);
            }
        }
    }

    private static String describeTarget(RedisTarget t) {
        try (Jedis j = t.connect()) {
            ServerInfo info = ServerInfo.of(j, "server", "replication", "keyspace");
            long existing = info.keys();
            return "Redis " + info.text("redis_version") + " " + info.text("role") + (existing == 0 ? ", empty"
                    : ", holding " + existing + " keys (--confirm will refuse: recovery never overwrites)");
        }
    }

    /**
     * The snapshot to recover: {@code backupId}'s, which must be a Redis backup of {@code instance}, else the newest
     * one; with {@code rdbOnly} (keys replayed into a running server, which an AOF cannot be) the newest RDB one.
     */
    Snapshot choose(Repository repo, String instance, Optional<String> backupId, boolean rdbOnly) {
        if (backupId.isPresent()) {
            Snapshot s = repo.snapshots().find(backupId.get(), Optional.empty());
            // Another instance's keys restored with this one's password into this one's place would mix two caches.
            if (!"redis".equals(s.manifest().kind()) || !instance.equals(s.manifest().name())) {
                throw new LifeboatException(ErrorCode.USAGE, "snapshot " + s.shortId() + " is a " + s.manifest().kind() + " backup of '"
                        + s.manifest().name() + "', not a Redis backup of '" + instance + "'",
                        "See 'lifeboat snapshots list' for the backups of " + instance + ".");
            }
            return s;
        }
        List<Snapshot> mine = repo.snapshots().list().stream()
                .filter(s -> "redis".equals(s.manifest().kind()) && instance.equals(s.manifest().name()))
                .sorted(Comparator.comparing(Snapshot::time)).toList();
        if (mine.isEmpty()) {
            throw new LifeboatException(ErrorCode.SNAPSHOT_NOT_FOUND, "no Redis backup of '" + instance + "' in the repository",
                    "Take one with 'lifeboat backup redis --instance " + instance + "'.");
        }
        Snapshot newest = mine.get(mine.size() - 1);
        if (rdbOnly && DataDirRestore.isAof(newest)) {
            Optional<Snapshot> rdb = mine.stream().filter(s -> !DataDirRestore.isAof(s)).reduce((a, b) -> b);
            if (rdb.isPresent()) {
                output.decision("the newest backup of " + instance + " (" + newest.shortId() + ") is an AOF, which loads only from a data "
                        + "directory: recovering from the newest RDB backup, " + rdb.get().shortId() + " (" + rdb.get().manifest().time() + ")");
                return rdb.get();
            }
        }
        return newest;
    }

    /** MB/s of reading and authenticating the RDB's first chunk, as the restore will. */
    private static double measureRead(Repository repo, Snapshot s) {
        TreeEntry e = RdbSnapshotReader.rdbEntry(repo, s);
        if (e.chunks() == null || e.chunks().isEmpty()) {
            return 100;
        }
        long t0 = System.nanoTime();
        int n = repo.readBlob(ChunkId.parse(e.chunks().get(0))).length;
        return Math.max(1, n / 1e6 / Math.max(1e-4, (System.nanoTime() - t0) / 1e9));
    }
}
