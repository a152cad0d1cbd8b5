package dev.lifeboat.postgres.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.postgres.backup.BaseBackup;
import dev.lifeboat.postgres.backup.PostgresTarget;
import dev.lifeboat.postgres.stream.WalReceiver;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalArchive;
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
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A time target after the last commit the archived WAL holds, though before its newest WAL (a checkpoint): the
 * server replays everything and ends recovery with a FATAL. That is the user's to fix, said as such, and no
 * server is left running; it used to surface as a failure to connect.
 */
class TargetNotReachedIT {
    @TempDir
    Path dir;

    @Test
    void aTargetPastTheLastCommitIsSaidAndLeavesNoServer() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("late").start()) {
            PostgresServer primary = pg.primary();
            primary.execute("CREATE TABLE t (id int)", "INSERT INTO t SELECT generate_series(1, 100)");
            Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")),
                    Optional.of(new Credentials.Passphrase("late".toCharArray())), RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
            PostgresTarget target = new PostgresTarget(primary.jdbcUrl("postgres"), "postgres", Optional.empty(), primary.dataDirectory());
            WalArchive archive = new WalArchive(repo, "app-db");
            WalReceiver receiver = new WalReceiver(target, "lifeboat_late", archive, Duration.ofMillis(100));
            AtomicBoolean stop = new AtomicBoolean();
            Thread streaming = new Thread(() -> receiver.run(stop), "wal-receiver");
            streaming.start();
            Instant late;
            try {
                Wait.until(Duration.ofSeconds(30), "streaming to start", () -> receiver.received().value() > 0);
                new BaseBackup(repo, Clock.systemUTC(), 2).run(target, "app-db", Progress.NONE);
                primary.execute("INSERT INTO t VALUES (101)");   // the last commit
                Thread.sleep(300);
                late = Instant.now();                            // the target: after the last commit
                Thread.sleep(300);
                primary.execute("CHECKPOINT");                   // WAL after the target, but no commit
                Lsn end = Lsn.parse(primary.queryOne("SELECT pg_current_wal_flush_lsn()"));
                Wait.until(Duration.ofSeconds(15), "WAL to reach the repository", () -> !receiver.durable().isBefore(end));
            } finally {
                stop.set(true);
                streaming.join(10_000);
            }
            PostgresRecovery recovery = new PostgresRecovery(repo, "app-db");
            PostgresRecovery.Plan plan = recovery.plan(Optional.empty(), RecoveryTarget.at(late));
            Path home = pg.newServerHome("late");
            LifeboatException e = catchThrowableOfType(LifeboatException.class, () -> recovery.recover(plan, home.resolve("data"),
                    dev.lifeboat.testkit.FreePort.pick(), "postgres", Optional.empty(), Optional.empty(), Duration.ofMinutes(2)));
            assertThat(e).as("recovery to a target no commit reaches").isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_MISSING);
            assertThat(e.getMessage()).contains("without reaching the target");
            assertThat(e.hint()).contains("--latest");
            assertThat(PostgresControl.running(home.resolve("data"))).as("no server left running").isFalse();
        }
    }
}
