package dev.lifeboat.postgres.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.files.DirectoryRestore;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A base backup of a real, busy server restores into a new data directory that starts consistent. */
class BaseBackupIT {
    @TempDir
    Path dir;

    @Test
    void baseBackupRestoresIntoAConsistentClusterWithExactlyTheRowsCommittedBeforeTheBackupEnded() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().start()) {
            PostgresServer primary = pg.primary();
            primary.execute("CREATE TABLE progress (id bigint PRIMARY KEY, learner text, score int)",
                    "INSERT INTO progress SELECT g, 'learner-' || g, g % 101 FROM generate_series(1, 20000) g",
                    "CREATE INDEX ON progress (score)");
            Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")),
                    Optional.of(new Credentials.Passphrase("pg test".toCharArray())), RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
            PostgresTarget target = new PostgresTarget(primary.jdbcUrl("postgres"), "postgres", Optional.empty(), primary.dataDirectory());

            Snapshot backup = new BaseBackup(repo, Clock.systemUTC(), 2).run(target, "app-db", Progress.NONE);
            // Written after the backup ended: must not be in the restored cluster.
            primary.execute("INSERT INTO progress SELECT g, 'late-' || g, 0 FROM generate_series(20001, 20500) g");

            assertThat(backup.manifest().kind()).isEqualTo("postgres");
            assertThat(backup.manifest().labels().get("checksum_failures")).isEqualTo("0");
            assertThat(backup.manifest().labels().get("page_checksums")).as("real pages verify with our checksum").matches("verified [1-9][0-9]+ pages");
            assertThat(backup.manifest().labels()).containsKeys("start_lsn", "stop_lsn", "timeline", "system_identifier", "wal_first");
            assertThat(backup.manifest().labels().get("system_identifier"))
                    .isEqualTo(primary.queryOne("SELECT system_identifier FROM pg_control_system()"));

            Path home = pg.newServerHome("restored");
            new DirectoryRestore(Repository.open(repo.store(), Optional.of(new Credentials.Passphrase("pg test".toCharArray()))))
                    .run(backup, home.resolve("data"), Progress.NONE);
            Path data = home.resolve("data");
            assertThat(data.resolve("backup_label")).exists();
            assertThat(data.resolve("postmaster.pid")).doesNotExist();
            assertThat(data.resolve("pg_wal").resolve(backup.manifest().labels().get("wal_first"))).exists();
            try (var replslot = Files.list(data.resolve("pg_replslot"))) {
                assertThat(replslot).as("the backup's temporary slot is not restored").isEmpty();
            }

            PostgresServer restored = pg.serverAt(home, "restored");
            restored.start();
            assertThat(restored.isInRecovery()).isFalse();
            assertThat(restored.queryOne("SELECT count(*) FROM progress")).isEqualTo("20000");
            assertThat(restored.queryOne("SELECT sum(score) FROM progress")).isEqualTo(primary.queryOne("SELECT sum(score) FROM progress WHERE id <= 20000"));
            assertThat(restored.queryOne("SELECT count(*) FROM progress WHERE learner LIKE 'late-%'")).isEqualTo("0");
            // Every page is readable and checksums verify.
            assertThat(restored.queryOne("SHOW data_checksums")).isEqualTo("on");
            assertThat(restored.queryOne("SELECT count(*) FROM progress WHERE score = 50")).isEqualTo("198");
            assertThat(data.resolve("backup_label")).doesNotExist(); // consumed by recovery
        }
    }

    @Test
    void aLeastPrivilegeRoleWithSessionTimeoutsBacksUp() throws Exception {
        // The role docs/postgres.md asks for (REPLICATION, reading settings, running the backup functions), with
        // timeouts a DBA sets against leaked connections: the backup session idles while files are copied.
        try (PostgresHarness pg = PostgresHarness.builder().name("lp").start()) {
            PostgresServer primary = pg.primary();
            primary.execute("CREATE TABLE t AS SELECT g AS id, md5(g::text) AS body FROM generate_series(1, 50000) g",
                    "CREATE ROLE lb_backup LOGIN REPLICATION",
                    "GRANT pg_read_all_settings TO lb_backup",
                    "GRANT EXECUTE ON FUNCTION pg_backup_start(text, boolean) TO lb_backup",
                    "GRANT EXECUTE ON FUNCTION pg_backup_stop(boolean) TO lb_backup",
                    "ALTER ROLE lb_backup SET idle_session_timeout = '200ms'",
                    "ALTER ROLE lb_backup SET idle_in_transaction_session_timeout = '200ms'");
            Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")),
                    Optional.of(new Credentials.Passphrase("lp".toCharArray())), RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
            PostgresTarget target = new PostgresTarget(primary.jdbcUrl("postgres"), "lb_backup", Optional.empty(), primary.dataDirectory());
            Snapshot backup = new BaseBackup(repo, Clock.systemUTC(), 1).run(target, "it's-app-db", Progress.NONE);
            assertThat(backup.manifest().labels()).containsKeys("start_lsn", "stop_lsn", "wal_last");
        }
    }

    @Test
    void aCorruptPageIsReportedWithItsFileAndBlockAndTheBackupStillCompletes() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("pgsum").start()) {
            PostgresServer primary = pg.primary();
            primary.execute("CREATE TABLE damaged (id int, filler text)",
                    "INSERT INTO damaged SELECT g, repeat('x', 200) FROM generate_series(1, 5000) g", "CHECKPOINT");
            String file = primary.queryOne("SELECT pg_relation_filepath('damaged')");
            primary.stop();
            Path relation = primary.dataDirectory().resolve(file);
            try (var ch = java.nio.channels.FileChannel.open(relation, java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[] {0x5a, 0x5a, 0x5a, 0x5a}), 8192L * 3 + 5000);
            }
            primary.start();
            Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo2")),
                    Optional.of(new Credentials.Passphrase("pg test".toCharArray())), RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
            PostgresTarget target = new PostgresTarget(primary.jdbcUrl("postgres"), "postgres", Optional.empty(), primary.dataDirectory());

            Snapshot backup = new BaseBackup(repo, Clock.systemUTC(), 2).run(target, "app-db", Progress.NONE);

            assertThat(backup.manifest().labels().get("checksum_failures")).isEqualTo("1");
            assertThat(backup.manifest().labels().get("checksum_failure_pages")).startsWith(file + " block 3 ");
        }
    }

    @Test
    void aBackupFromAStandbyRestoresWithWhatTheStandbyHadReplayed() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("pgsb").replicas(1).start()) {
            PostgresServer primary = pg.primary();
            PostgresServer standby = pg.replica(0);
            primary.execute("CREATE TABLE courses (id int PRIMARY KEY, title text)",
                    "INSERT INTO courses SELECT g, 'course ' || g FROM generate_series(1, 3000) g");
            pg.awaitReplay(standby);
            Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo3")),
                    Optional.of(new Credentials.Passphrase("pg test".toCharArray())), RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
            PostgresTarget target = new PostgresTarget(standby.jdbcUrl("postgres"), "postgres", Optional.empty(), standby.dataDirectory());

            Snapshot backup = new BaseBackup(repo, Clock.systemUTC(), 2).run(target, "app-db", Progress.NONE);

            assertThat(backup.manifest().labels()).containsEntry("from_standby", "true").containsEntry("checksum_failures", "0");
            assertThat(primary.queryOne("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'lifeboat_backup_%'")).isEqualTo("0");
            Path home = pg.newServerHome("from-standby");
            new DirectoryRestore(repo).run(backup, home.resolve("data"), Progress.NONE);
            // A copy of a standby carries its standby.signal; remove it to open the copy as a new primary.
            java.nio.file.Files.deleteIfExists(home.resolve("data/standby.signal"));
            PostgresServer restored = pg.serverAt(home, "from-standby");
            restored.configure("primary_conninfo = ''", "primary_slot_name = ''");
            restored.start();
            assertThat(restored.queryOne("SELECT count(*) FROM courses")).isEqualTo("3000");
            assertThat(restored.isInRecovery()).isFalse();
        }
    }
}
