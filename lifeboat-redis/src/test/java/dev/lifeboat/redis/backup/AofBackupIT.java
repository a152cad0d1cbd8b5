package dev.lifeboat.redis.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.redis.RedisTarget;
import dev.lifeboat.redis.restore.DataDirRestore;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import dev.lifeboat.testkit.RedisHarness;
import dev.lifeboat.testkit.RedisServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** A multi-part AOF copied with rewrites paused restores into a server that loads every key from it. */
class AofBackupIT {
    @TempDir
    Path tmp;

    @Test
    void aMultiPartAofIsCopiedWithRewritesPausedAndLoadsElsewhere() throws Exception {
        try (RedisHarness redis = RedisHarness.builder().name("aof-it").args("--appendonly", "yes").start()) {
            RedisServer primary = redis.primary();
            try (Jedis j = primary.client()) {
                for (int i = 0; i < 2000; i++) {
                    j.set("base:" + i, "v" + i);
                }
                j.bgrewriteaof();
                while (j.info("persistence").contains("aof_rewrite_in_progress:1")) {
                    Thread.sleep(20);
                }
                for (int i = 0; i < 500; i++) {
                    j.set("incr:" + i, "after-rewrite-" + i);
                }
                j.configSet("auto-aof-rewrite-percentage", "77");
            }
            Repository repo = Repository.init(new FilesystemObjectStore(tmp.resolve("repo")), Optional.of(new Credentials.Passphrase("aof".toCharArray())),
                    RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
            List<String> timeline = new ArrayList<>();
            Snapshot s = new AofBackup(repo, Clock.systemUTC()).run(RedisTarget.of(primary.host(), primary.port()), primary.directory(), "cache",
                    Map.of(), Progress.NONE, timeline::add);

            assertThat(timeline).anyMatch(t -> t.contains("paused automatic AOF rewrites") && t.contains("was 77"));
            try (Jedis j = primary.client()) {
                assertThat(j.configGet("auto-aof-rewrite-percentage")).containsEntry("auto-aof-rewrite-percentage", "77");
            }
            assertThat(s.manifest().labels()).containsEntry("format", "aof").containsEntry("base_keys", "2000");
            assertThat(s.manifest().labels().get("aof_files")).contains(".base.rdb", ".incr.aof");

            Path dir = redis.home().resolve("restored-aof");
            DataDirRestore.Placement placed = new DataDirRestore(repo, Clock.systemUTC()).place(s, dir, "dump.rdb", "appendonlydir");
            assertThat(placed.aof()).isTrue();
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(placed.rdb()))).isEqualTo("rwx------");
            try (var files = java.nio.file.Files.list(placed.rdb())) {
                assertThat(files.toList()).isNotEmpty().allSatisfy(f -> assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                        java.nio.file.Files.getPosixFilePermissions(f))).isEqualTo("rw-------"));
            }
            RedisServer restored = redis.serverAt(dir, "restored-aof", "--appendonly", "yes");
            restored.start();
            try (Jedis j = restored.client()) {
                assertThat(j.dbSize()).isEqualTo(2500);
                assertThat(j.get("incr:499")).isEqualTo("after-rewrite-499");
                assertThat(j.get("base:0")).isEqualTo("v0");
            }
        }
    }
}
