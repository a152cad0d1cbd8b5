package dev.lifeboat.cli.backup;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Output;
import dev.lifeboat.cli.output.ProgressBar;
import dev.lifeboat.cli.output.Sizes;
import dev.lifeboat.cli.redis.RedisOptions;
import dev.lifeboat.redis.RedisTarget;
import dev.lifeboat.redis.backup.RdbBackup;
import dev.lifeboat.redis.backup.SourceChoice;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.SnapshotManifest;
import dev.lifeboat.repository.lock.RepositoryLock;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat backup redis}: an RDB snapshot over the replication protocol, preferably from a replica. */
@Command(name = "redis", mixinStandardHelpOptions = true,
        description = {"Snapshot a Redis instance into the repository.",
                "",
                "The RDB is fetched the way a replica fetches it (REPLCONF rdb-only, PSYNC), so the server writes nothing "
                        + "to its own disk; with --instance, a healthy replica of the plan is used so the primary never forks. "
                        + "The RDB is stored encrypted, compressed and deduplicated as it arrives, its CRC-64 is checked, and "
                        + "the snapshot records the RDB version, key counts per database, keys with TTLs and memory. A damaged "
                        + "or interrupted transfer saves nothing."},
        footer = {"", "Exit status: 0 saved; 90 server unreachable; 91 the RDB was damaged in transit; 92 RDB version not supported."})
public final class BackupRedisCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Mixin
    RedisOptions redis;

    @Mixin
    Output output;

    @Option(names = "--name", paramLabel = "NAME", description = "The snapshot's name (default: the --instance name).")
    String name;

    @Option(names = "--from-primary", description = "Read from the primary even when a replica is healthy.")
    boolean fromPrimary;

    @Option(names = "--aof", description = "Copy the multi-part AOF (base, incremental files, manifest) from --data-dir instead of "
            + "fetching an RDB; automatic rewrites are paused while copying. Runs on the Redis host.")
    boolean aof;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "With --aof: the server's data directory (its 'dir') on this host.")
    java.nio.file.Path dataDir;

    @Override
    public Integer call() {
        if (dataDir != null && !aof) {
            throw new LifeboatException(ErrorCode.USAGE, "--data-dir goes with --aof", "An RDB is fetched over the network: drop --data-dir, or add --aof.");
        }
        if (fromPrimary && aof) {
            throw new LifeboatException(ErrorCode.USAGE, "--from-primary does not apply to --aof",
                    "The AOF is copied from --data-dir on this host, the primary's or a replica's.");
        }
        String snapshotName = redis.name(name);
        RedisTarget primary = redis.primary(access.plans());
        if (aof) {
            return backupAof(snapshotName, primary);
        }
        SourceChoice.Choice choice = fromPrimary ? new SourceChoice.Choice(primary, "backing up from the primary, as --from-primary asks")
                : SourceChoice.choose(primary, redis.replicas(access.plans()));
        output.decision(choice.reason());
        Repository repo = access.open();
        ProgressBar bar = output.progress("backup " + snapshotName);
        Snapshot s;
        try (RepositoryLock lock = repo.lockShared("backup redis " + snapshotName)) {
            s = new RdbBackup(repo, Clock.systemUTC()).run(choice.target(), snapshotName, Map.of("primary", primary.toString()), bar);
        } finally {
            bar.done();
        }
        access.finishCopies(output.err(), 30_000);
        SnapshotManifest.Stats st = s.manifest().stats();
        Map<String, String> l = s.manifest().labels();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("snapshot", s.id());
        m.put("name", snapshotName);
        m.put("time", s.manifest().time());
        m.put("labels", l);
        m.put("stats", st);
        output.emit(m, () -> String.format("Snapshot %s of %s from %s (%s): RDB v%s, %s keys (%s with TTL), %s; new %s stored as %s in %.1f s.%n",
                s.shortId(), snapshotName, l.get("source"), l.get("source_role"), l.get("rdb_version"), l.get("keys"), l.get("expires"),
                Sizes.bytes(st.bytes()), Sizes.bytes(st.newBytes()), Sizes.bytes(st.storedBytes()), st.millis() / 1000.0));
        return 0;
    }

    private int backupAof(String snapshotName, RedisTarget primary) {
        if (dataDir == null) {
            throw new dev.lifeboat.core.error.LifeboatException(dev.lifeboat.core.error.ErrorCode.USAGE, "--aof needs --data-dir DIR",
                    "Give the directory the server writes its AOF under (CONFIG GET dir), on this host.");
        }
        Repository repo = access.open();
        Snapshot s;
        try (RepositoryLock lock = repo.lockShared("backup redis --aof " + snapshotName)) {
            s = new dev.lifeboat.redis.backup.AofBackup(repo, Clock.systemUTC()).run(primary, dataDir, snapshotName, Map.of("primary", primary.toString()),
                    dev.lifeboat.repository.files.Progress.NONE, output::decision);
        }
        access.finishCopies(output.err(), 30_000);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("snapshot", s.id());
        m.put("name", snapshotName);
        m.put("labels", s.manifest().labels());
        m.put("stats", s.manifest().stats());
        output.emit(m, () -> String.format("Snapshot %s of %s: AOF files %s (%s), base with %s keys; new %s stored.%n", s.shortId(), snapshotName,
                s.manifest().labels().get("aof_files"), Sizes.bytes(s.manifest().stats().bytes()), s.manifest().labels().get("base_keys"),
                Sizes.bytes(s.manifest().stats().newBytes())));
        return 0;
    }
}
