package dev.lifeboat.postgres.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.postgres.backup.BaseBackup;
import dev.lifeboat.postgres.backup.PostgresTarget;
import dev.lifeboat.postgres.stream.WalReceiver;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.postgres.wal.WalRetention;
import dev.lifeboat.postgres.wal.WalSegment;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
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
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stored segment whose records are damaged (its page header intact, so it decrypts and passes the archive's
 * checks): PostgreSQL takes the damage for the end of WAL and promotes there. A recovery to the latest point must
 * say that it stopped short (the command exits 74), not report success at an older point.
 */
class DamagedSegmentIT {
    @TempDir
    Path dir;

    @Test
    void replayThatStopsAtADamagedSegmentIsAShortfall() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("dmg").start()) {
            PostgresServer primary = pg.primary();
            primary.execute("CREATE TABLE t (id int)");
            Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")),
                    Optional.of(new Credentials.Passphrase("damaged".toCharArray())), RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
            PostgresTarget target = new PostgresTarget(primary.jdbcUrl("postgres"), "postgres", Optional.empty(), primary.dataDirectory());
            WalArchive archive = new WalArchive(repo, "app-db");
            WalReceiver receiver = new WalReceiver(target, "lifeboat_dmg", archive, Duration.ofMillis(100));
            AtomicBoolean stop = new AtomicBoolean();
            Thread streaming = new Thread(() -> receiver.run(stop), "wal-receiver");
            streaming.start();
            try {
                Wait.until(Duration.ofSeconds(30), "streaming to start", () -> receiver.received().value() > 0);
                new BaseBackup(repo, Clock.systemUTC(), 2).run(target, "app-db", Progress.NONE);
                for (int i = 0; i < 4; i++) { // whole segments after the backup, each with commits
                    primary.execute("INSERT INTO t SELECT generate_series(1, 1000)", "SELECT pg_switch_wal()");
                }
                primary.execute("INSERT INTO t VALUES (-1)");
                Lsn end = Lsn.parse(primary.queryOne("SELECT pg_current_wal_flush_lsn()"));
                Wait.until(Duration.ofSeconds(15), "WAL to reach the repository", () -> !receiver.durable().isBefore(end));
            } finally {
                stop.set(true);
                streaming.join(10_000);
            }
            List<WalSegment> whole = archive.segments(WalSegment.DEFAULT_SIZE);
            assertThat(whole.size()).as("segments to damage one of").isGreaterThanOrEqualTo(4);
            WalSegment victim = whole.get(whole.size() - 2);
            byte[] damaged = archive.segment(victim);
            Arrays.fill(damaged, 8192, damaged.length, (byte) 0); // the first page (and its header) kept, the rest gone
            String object = archive.objects(WalSegment.DEFAULT_SIZE).stream().filter(a -> a.segment().equals(Optional.of(victim)))
                    .map(WalRetention.Archived::object).findFirst().orElseThrow();
            repo.store().delete(object);
            archive.putSegment(victim, damaged);

            PostgresRecovery recovery = new PostgresRecovery(repo, "app-db");
            PostgresRecovery.Plan plan = recovery.plan(Optional.empty(), RecoveryTarget.latest());
            Path home = pg.newServerHome("dmg");
            PostgresRecovery.Result r = recovery.recover(plan, home.resolve("data"), dev.lifeboat.testkit.FreePort.pick(), "postgres",
                    Optional.empty(), Optional.empty(), Duration.ofMinutes(2));
            try {
                assertThat(r.reach().shortfall()).as("replay stopped in " + victim.fileName()).hasValueSatisfying(s ->
                        assertThat(s).contains("replay stopped at", "a stored segment is damaged"));
            } finally {
                PostgresControl.of(home.resolve("data"), Optional.empty()).stop(Duration.ofSeconds(30));
            }
        }
    }
}
