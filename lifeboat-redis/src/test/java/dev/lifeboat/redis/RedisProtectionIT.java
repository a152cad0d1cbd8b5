package dev.lifeboat.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.redis.backup.RdbBackup;
import dev.lifeboat.redis.rdb.RdbSnapshotReader;
import dev.lifeboat.redis.restore.CacheRestore;
import dev.lifeboat.redis.restore.DataDirRestore;
import dev.lifeboat.redis.restore.RestoreReport;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.SnapshotManifest;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.files.FileContent;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.files.TreeWriter;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import dev.lifeboat.testkit.RedisDataset;
import dev.lifeboat.testkit.RedisHarness;
import dev.lifeboat.testkit.RedisServer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Redis protection against real servers: a primary with 100k keys of every type and a replica; backups are taken
 * from the replica while the primary takes writes, and restored into new instances, compared key by key.
 */
class RedisProtectionIT {
    static final int KEYS = 100_000;

    static RedisHarness redis;
    static Repository repo;
    static Snapshot backup;
    static long forksBefore;
    static long forksAfter;
    static long liveWrites;

    @TempDir
    static Path dir;

    @BeforeAll
    static void backUpFromTheReplicaWhileThePrimaryTakesWrites() throws Exception {
        redis = RedisHarness.builder().name("redis-it").replicas(1).start();
        try (Jedis p = redis.primary().client()) {
            RedisDataset.populate(p, KEYS);
        }
        redis.awaitReplication();
        repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")), Optional.of(new Credentials.Passphrase("redis".toCharArray())),
                RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
        forksBefore = forks(redis.primary());
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong written = new AtomicLong();
        Thread writer = new Thread(() -> {
            try (Jedis p = redis.primary().client()) {
                while (writing.get()) {
                    p.set("live:" + written.incrementAndGet(), "during-backup");
                }
            }
        });
        writer.start();
        try {
            RedisServer replica = redis.replica(0);
            backup = new RdbBackup(repo, Clock.systemUTC()).run(RedisTarget.of(replica.host(), replica.port()), "cache",
                    Map.of("instance", "cache"), Progress.NONE);
        } finally {
            writing.set(false);
            writer.join();
        }
        liveWrites = written.get();
        forksAfter = forks(redis.primary());
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    private static long forks(RedisServer s) {
        try (Jedis j = s.client()) {
            return ServerInfo.of(j, "stats").number("total_forks");
        }
    }

    @Test
    void theBackupComesFromTheReplicaWithoutAForkOnThePrimaryAndRecordsWhatItHolds() {
        assertThat(liveWrites).as("the primary took writes during the backup").isPositive();
        assertThat(forksAfter).as("total_forks on the primary").isEqualTo(forksBefore);
        Map<String, String> l = backup.manifest().labels();
        assertThat(l.get("source_role")).isEqualTo("slave");
        assertThat(l.get("rdb_version")).isEqualTo("10");
        assertThat(l.get("checksum")).isEqualTo("verified");
        assertThat(Long.parseLong(l.get("keys"))).isGreaterThanOrEqualTo(KEYS + 100);
        assertThat(l.get("keys_per_db")).contains("db1=100");
        assertThat(l.get("types")).contains("stream=", "hash=", "list=", "set=", "zset=", "string=");
        assertThat(Long.parseLong(l.get("expires"))).isGreaterThanOrEqualTo(KEYS / 10);
    }

    @Test
    void aRestoreIntoANewInstanceHasEveryKeyTypeValueAndTtl() {
        RedisServer target = redis.newEmptyServer("restored");
        RestoreReport report = new CacheRestore(repo).intoRunning(backup, RedisTarget.of(target.host(), target.port()), Progress.NONE);

        assertThat(report.mismatched()).isZero();
        assertThat(report.restored()).isEqualTo(report.keys() - report.expired());
        assertThat(report.compared() + report.reencoded()).isEqualTo(report.restored());
        try (Jedis expected = redis.primary().client(); Jedis actual = target.client()) {
            // Keys written during the backup may or may not be in it; each that is must match the primary.
            expected.select(0);
            List<String> live = actual.keys("live:*").stream().toList();
            for (String k : live) {
                assertThat(actual.get(k)).isEqualTo(expected.get(k));
                expected.del(k);
                actual.del(k);
            }
            expected.keys("live:*").forEach(expected::del);
            assertThat(RedisDataset.differences(expected, actual, 1000)).isEmpty();
        }
    }

    @Test
    void anRdbPlacedInAStoppedInstancesDirectoryLoadsWithEveryKeyAndSetsAsideWhatWasThere() throws Exception {
        Path data = redis.home().resolve("placed");
        Files.createDirectories(data.resolve("appendonlydir"));
        Files.writeString(data.resolve("dump.rdb"), "an older dump");
        DataDirRestore.Placement placed = new DataDirRestore(repo, Clock.systemUTC()).place(backup, data, "dump.rdb", "appendonlydir");
        assertThat(placed.movedAside()).hasSize(2);
        assertThat(Files.readString(placed.movedAside().get(0))).isEqualTo("an older dump");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(placed.rdb())))
                .as("a cache holds sessions: only the server's user reads it").isEqualTo("rw-------");
        assertThat(data.resolve("dump.rdb.lifeboat-partial")).doesNotExist();

        RedisServer server = redis.serverAt(data, "placed");
        server.start();
        try (Jedis j = server.client()) {
            RestoreReport report = new CacheRestore(repo).compare(backup, j, Progress.NONE, Long.parseLong(backup.manifest().labels().get("keys")),
                    new HashMap<>());
            assertThat(report.mismatched()).isZero();
            assertThat(report.compared() + report.reencoded() + report.expired()).isEqualTo(report.keys());
        }
        assertThatThrownBy(() -> new DataDirRestore(repo, Clock.systemUTC()).place(backup, data, "dump.rdb", "appendonlydir"))
                .isInstanceOfSatisfying(LifeboatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TARGET_IN_USE));
    }

    @Test
    void aTruncatedOrDamagedRdbIsRefusedBeforeTheTargetIsTouched() throws Exception {
        byte[] rdb;
        try (InputStream in = FileContent.open(repo, RdbSnapshotReader.rdbEntry(repo, backup))) {
            rdb = in.readAllBytes();
        }
        byte[] truncated = java.util.Arrays.copyOf(rdb, rdb.length / 2);
        // A changed byte at several places: whatever it hits (a type, a length, a value, the checksum), the file is
        // damaged, and must be called so (a type turned into a legacy code once read as "unsupported").
        List<byte[]> damaged = new java.util.ArrayList<>(List.of(truncated));
        for (int at : new int[] {rdb.length / 5, rdb.length / 3, rdb.length / 2, rdb.length * 2 / 3, rdb.length - 3}) {
            byte[] flipped = rdb.clone();
            flipped[at] ^= 0x20;
            damaged.add(flipped);
        }
        RedisServer target = redis.newEmptyServer("untouched");
        for (byte[] bad : damaged) {
            Snapshot s = storeRdb(bad);
            assertThatThrownBy(() -> new CacheRestore(repo).intoRunning(s, RedisTarget.of(target.host(), target.port()), Progress.NONE))
                    .isInstanceOfSatisfying(LifeboatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RDB_INVALID));
            Path data = redis.home().resolve("untouched-dir");
            assertThatThrownBy(() -> new DataDirRestore(repo, Clock.systemUTC()).place(s, data, "dump.rdb", "appendonlydir"))
                    .isInstanceOfSatisfying(LifeboatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RDB_INVALID));
            assertThat(data.resolve("dump.rdb")).doesNotExist();
        }
        try (Jedis j = target.client()) {
            assertThat(j.dbSize()).isZero();
        }
        assertThat(new String(truncated, 0, 5)).isEqualTo("REDIS");
    }

    /** Stores arbitrary bytes as a Redis snapshot, as a damaged backup would look. */
    private static Snapshot storeRdb(byte[] bytes) throws Exception {
        var sink = repo.newSink();
        try (TreeWriter tree = new TreeWriter(sink, repo.fileChunker(), 1, Progress.NONE, 0)) {
            tree.file(RdbSnapshotReader.RDB_FILE, new ByteArrayInputStream(bytes), repo.fileChunker(), 0644, 0);
            List<String> ids = tree.finish();
            sink.finish();
            return repo.snapshots().save(new SnapshotManifest(SnapshotManifest.FORMAT, java.time.Instant.now().toString(),
                    java.time.Instant.now().toString(), "test", "redis", "damaged", "test", List.of(), repo.fileChunker().describe(), ids,
                    new SnapshotManifest.Stats(1, 0, bytes.length, 0, 0, 0, 0, 0), Map.of()));
        }
    }
}
