package dev.lifeboat.postgres.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.postgres.backup.BaseBackup;
import dev.lifeboat.postgres.backup.PostgresTarget;
import dev.lifeboat.postgres.stream.WalReceiver;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import dev.lifeboat.testkit.Wait;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's data-corruption scenario at the library level: base backup, WAL streamed into the repository, rows
 * written, a destructive statement; recovery to just before it brings back exactly the rows committed before.
 */
class PointInTimeRecoveryIT {
    @TempDir
    Path dir;

    @Test
    void recoversToATimeWithExactlyTheRowsCommittedBeforeIt() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().start()) {
            PostgresServer primary = pg.primary();
            primary.execute("CREATE TABLE progress (id int PRIMARY KEY, at timestamptz default clock_timestamp())",
                    "INSERT INTO progress (id) SELECT generate_series(1, 1000)");
            // A cluster that was itself recovered carries its recovery's target in postgresql.auto.conf, and backups
            // copy it: every recovery below must override it, not add a second target or stop at the old one.
            primary.execute("ALTER SYSTEM SET recovery_target_name = 'an earlier recovery''s restore point'");
            Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")),
                    Optional.of(new Credentials.Passphrase("pitr".toCharArray())), RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
            PostgresTarget target = new PostgresTarget(primary.jdbcUrl("postgres"), "postgres", Optional.empty(), primary.dataDirectory());
            WalArchive archive = new WalArchive(repo, "app-db");
            WalReceiver receiver = new WalReceiver(target, "lifeboat_pitr", archive, Duration.ofMillis(200));
            AtomicBoolean stop = new AtomicBoolean();
            Thread streaming = new Thread(() -> receiver.run(stop), "wal-receiver");
            streaming.start();
            try {
                Wait.until(Duration.ofSeconds(30), "streaming to start", () -> receiver.received().value() > 0);
                Snapshot backup = new BaseBackup(repo, Clock.systemUTC(), 2).run(target, "app-db", Progress.NONE);

                for (int i = 1; i <= 5; i++) {
                    primary.execute("INSERT INTO progress (id) SELECT generate_series(" + (i * 1000 + 1) + ", " + (i * 1000 + 1000) + ")");
                }
                Thread.sleep(50);
                Instant beforeDisaster = Instant.parse(primary.queryOne("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', "
                        + "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
                Thread.sleep(50);
                primary.execute("DELETE FROM progress WHERE id % 2 = 0"); // the destructive statement
                primary.execute("INSERT INTO progress (id) VALUES (999999)");
                Lsn end = Lsn.parse(primary.queryOne("SELECT pg_current_wal_flush_lsn()"));
                Wait.until(Duration.ofSeconds(15), "WAL to reach the repository", () -> !receiver.durable().isBefore(end));

                Path home = pg.newServerHome("recovered");
                RecoveryPreparation.Prepared prepared = new RecoveryPreparation(repo, archive)
                        .prepare(backup, RecoveryTarget.at(beforeDisaster), home.resolve("data"), home.resolve("wal-staging"));
                assertThat(prepared.walEnd()).isGreaterThanOrEqualTo(end);

                PostgresServer recovered = pg.serverAt(home, "recovered");
                recovered.start();
                Wait.until(Duration.ofSeconds(60), "recovery to finish and promote", () -> !recovered.isInRecovery());
                assertThat(recovered.queryOne("SELECT count(*) FROM progress")).isEqualTo("6000");
                assertThat(recovered.queryOne("SELECT count(*) FROM progress WHERE id % 2 = 0")).isEqualTo("3000");
                assertThat(recovered.queryOne("SELECT count(*) FROM progress WHERE id = 999999")).isEqualTo("0");
                assertThat(recovered.queryOne("SELECT max(at) < '" + beforeDisaster + "'::timestamptz FROM progress")).isEqualTo("t");
                // The recovered cluster takes writes on a new timeline.
                recovered.execute("INSERT INTO progress (id) VALUES (123456)");
                assertThat(recovered.queryOne("SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)")).isEqualTo("00000002");

                // Delta restore into that same (now stopped) directory, this time to the latest point: only what
                // differs is fetched, the copy's own writes and WAL are gone, and the cluster holds every row.
                recovered.stop();
                RecoveryPreparation.Prepared again = new RecoveryPreparation(repo, archive).prepare(backup, RecoveryTarget.latest(),
                        home.resolve("data"), home.resolve("wal-staging"), java.util.List.of(), true);
                var delta = again.delta().orElseThrow();
                long files = delta.reusedBytes() + delta.fetchedBytes();
                System.out.printf("delta restore: %d of %d bytes reused, %d fetched, %d paths removed%n",
                        delta.reusedBytes(), files, delta.fetchedBytes(), delta.removed());
                // Replay and checkpoints rewrote many pages of this small cluster; the unchanged rest is kept.
                assertThat(delta.reusedBytes()).isGreaterThan(files / 4);
                assertThat(delta.removed()).isPositive(); // at least the copy's timeline-2 WAL and history
                recovered.start();
                Wait.until(Duration.ofSeconds(60), "delta recovery to finish and promote", () -> !recovered.isInRecovery());
                assertThat(recovered.queryOne("SELECT count(*) FROM progress")).isEqualTo("3001");
                assertThat(recovered.queryOne("SELECT count(*) FROM progress WHERE id = 123456")).isEqualTo("0");
                assertThat(recovered.queryOne("SELECT count(*) FROM progress WHERE id = 999999")).isEqualTo("1");
            } finally {
                stop.set(true);
                streaming.join(10_000);
            }
        }
    }
}
