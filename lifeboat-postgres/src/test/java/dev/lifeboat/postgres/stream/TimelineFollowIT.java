package dev.lifeboat.postgres.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.postgres.backup.BaseBackup;
import dev.lifeboat.postgres.backup.PostgresTarget;
import dev.lifeboat.postgres.check.WalContinuity;
import dev.lifeboat.postgres.recovery.PostgresControl;
import dev.lifeboat.postgres.recovery.PostgresRecovery;
import dev.lifeboat.postgres.recovery.RecoveryTarget;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streaming follows a promotion: WAL from the old primary on timeline 1, then from the promoted replica on
 * timeline 2 with its history file, and a recovery from the backup taken before the promotion replays across the
 * switch to the newest row.
 */
class TimelineFollowIT {
    @TempDir
    Path dir;

    @Test
    void aRecoveryReplaysAcrossAPromotionTheReceiverFollowed() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("tli").replicas(1).start()) {
            PostgresServer primary = pg.primary();
            PostgresServer replica = pg.replica(0);
            Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")),
                    Optional.of(new Credentials.Passphrase("tli".toCharArray())), RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
            WalArchive archive = new WalArchive(repo, "app-db");
            primary.execute("CREATE TABLE rows (id int PRIMARY KEY, tli int)");
            // After the promotion the agent streams as a role with only the privilege docs/postgres.md asks for.
            primary.execute("CREATE ROLE lifeboat LOGIN REPLICATION");

            Streaming first = Streaming.start(primary, archive);
            Snapshot backup = new BaseBackup(repo, Clock.systemUTC(), 2).run(new PostgresTarget(primary.jdbcUrl("postgres"), "postgres",
                    Optional.empty(), primary.dataDirectory()), "app-db", Progress.NONE);
            // The agent's slot on the standby stays where it is made while the primary writes several segments more:
            // after the promotion it lies in timeline 1's segments, which the walsender looks for under timeline
            // 2's name. Streaming must start where timeline 2 begins (the repository has the rest from the primary).
            pg.awaitReplay(replica);
            replica.queryOne("SELECT lsn FROM pg_create_physical_replication_slot('lifeboat_app_db', true)");
            for (int i = 0; i < 3; i++) {
                primary.execute("INSERT INTO rows SELECT g, 1 FROM generate_series(" + (i * 300 + 1) + ", " + (i * 300 + 300) + ") g");
                primary.queryOne("SELECT pg_switch_wal()");
            }
            primary.execute("INSERT INTO rows SELECT g, 1 FROM generate_series(901, 1000) g");
            first.awaitDurable(primary);
            first.stop();
            pg.awaitReplay(replica);

            replica.queryOne("SELECT pg_promote(true, 60)");
            primary.crash();
            replica.execute("INSERT INTO rows SELECT g, 2 FROM generate_series(1001, 2000) g");
            Streaming second = Streaming.start(replica, "lifeboat", archive);
            second.awaitDurable(replica);
            second.stop();
            assertThat(second.events).anySatisfy(e -> assertThat(e).contains("before timeline 2 began", "the repository holds the WAL before it"));

            assertThat(second.receiver.timeline()).isEqualTo(2);
            assertThat(archive.history(2)).as("the promoted server's history file is archived").isPresent();
            WalContinuity.Report continuity = WalContinuity.check(archive, List.of(backup), Instant.now());
            assertThat(continuity.gaps()).as("a promotion is not a gap").isEmpty();

            PostgresRecovery recovery = new PostgresRecovery(repo, "app-db");
            PostgresRecovery.Plan plan = recovery.plan(Optional.empty(), RecoveryTarget.latest());
            Path home = pg.newServerHome("across");
            int port = dev.lifeboat.testkit.FreePort.pick();
            try {
                recovery.recover(plan, home.resolve("data"), port, "postgres", Optional.empty(), Optional.empty(), Duration.ofMinutes(2));
                PostgresServer recovered = pg.adopt(home, "across", port);
                assertThat(recovered.queryOne("SELECT count(*) FROM rows")).isEqualTo("2000");
                assertThat(recovered.queryOne("SELECT count(*) FROM rows WHERE tli = 2")).isEqualTo("1000");
            } finally {
                if (Files.exists(home.resolve("data/postmaster.pid"))) {
                    PostgresControl.of(home.resolve("data"), Optional.empty()).stop(Duration.ofSeconds(30));
                }
            }
        }
    }

    /**
     * Lifeboat set up on a cluster promoted long ago: nothing of its timeline is stored, and the segment where the
     * timeline began is gone from the server. Streaming starts at the slot, as on timeline 1; it used to ask for that
     * segment and fail with "has already been removed" at every reconnect, protecting nothing.
     */
    @Test
    void aClusterPromotedLongAgoIsStreamedFromItsSlot() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("old").replicas(1).start()) {
            PostgresServer replica = pg.replica(0);
            replica.queryOne("SELECT pg_promote(true, 60)");
            pg.primary().crash();
            String first = replica.queryOne("SELECT pg_walfile_name(pg_current_wal_lsn())");
            replica.execute("CREATE TABLE rows (id int)");
            for (int i = 0; i < 4; i++) {
                replica.execute("INSERT INTO rows SELECT generate_series(1, 1000)");
                replica.queryOne("SELECT pg_switch_wal()");
                replica.execute("CHECKPOINT");
            }
            assertThat(replica.queryOne("SELECT count(*) FROM pg_ls_waldir() WHERE name = '" + first + "'"))
                    .as("the segment timeline 2 began in is gone from the server").isEqualTo("0");
            Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")),
                    Optional.of(new Credentials.Passphrase("tli".toCharArray())), RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
            WalArchive archive = new WalArchive(repo, "app-db");
            Streaming s = Streaming.start(replica, archive);
            replica.execute("INSERT INTO rows SELECT generate_series(1, 1000)");
            s.awaitDurable(replica);
            s.stop();
            assertThat(s.receiver.timeline()).isEqualTo(2);
            assertThat(archive.history(2)).isPresent();
        }
    }

    /**
     * The agent streamed timeline 1 into the segment a failover later switched in, then was down for long enough that
     * the promoted server removed that segment. Asking for it fails; the next receiver streams from the slot and names
     * the gap, instead of failing at every reconnect.
     */
    @Test
    void aSwitchSegmentTheServerRemovedIsGivenUpForTheSlot() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("gone").replicas(1).start()) {
            PostgresServer primary = pg.primary();
            PostgresServer replica = pg.replica(0);
            Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")),
                    Optional.of(new Credentials.Passphrase("tli".toCharArray())), RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
            WalArchive archive = new WalArchive(repo, "app-db");
            primary.execute("CREATE TABLE rows (id int)", "INSERT INTO rows SELECT generate_series(1, 1000)");
            Streaming first = Streaming.start(primary, archive);
            first.awaitDurable(primary);
            first.stop();
            pg.awaitReplay(replica);
            replica.queryOne("SELECT pg_promote(true, 60)");
            primary.crash();
            String switched = replica.queryOne("SELECT pg_walfile_name(pg_current_wal_lsn())");
            for (int i = 0; i < 4; i++) {
                replica.execute("INSERT INTO rows SELECT generate_series(1, 1000)");
                replica.queryOne("SELECT pg_switch_wal()");
                replica.execute("CHECKPOINT");
            }
            assertThat(replica.queryOne("SELECT count(*) FROM pg_ls_waldir() WHERE name = '" + switched + "'")).isEqualTo("0");
            List<String> events = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            AtomicBoolean stop = new AtomicBoolean();
            StreamSupervisor sup = new StreamSupervisor("app-db", () -> new WalReceiver(new PostgresTarget(replica.jdbcUrl("postgres"), "postgres",
                    Optional.empty(), replica.dataDirectory()), "lifeboat_app_db", archive, Duration.ofMillis(100), events::add), stop, events::add);
            Thread t = new Thread(sup, "supervisor-gone");
            t.start();
            try {
                replica.execute("INSERT INTO rows SELECT generate_series(1, 10)");
                Lsn end = Lsn.parse(replica.queryOne("SELECT pg_current_wal_flush_lsn()"));
                Wait.until(Duration.ofSeconds(60), "WAL of timeline 2 durable", () -> sup.receiver()
                        .map(r -> r.timeline() == 2 && !r.durable().isBefore(end)).orElse(false));
            } finally {
                stop.set(true);
                t.join(15_000);
            }
            assertThat(events).anySatisfy(e -> assertThat(e).contains("no longer has the segment timeline 2 began in"));
            assertThat(events).anySatisfy(e -> assertThat(e).contains("the server no longer has the segment it began in",
                    "recovery cannot pass the gap"));
        }
    }

    /** A receiver on its own thread. */
    record Streaming(WalReceiver receiver, AtomicBoolean stopFlag, Thread thread, AtomicReference<Throwable> failed, List<String> events) {
        static Streaming start(PostgresServer server, WalArchive archive) {
            return start(server, "postgres", archive);
        }

        static Streaming start(PostgresServer server, String role, WalArchive archive) {
            List<String> events = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            WalReceiver r = new WalReceiver(new PostgresTarget(server.jdbcUrl("postgres"), role, Optional.empty(), server.dataDirectory()),
                    "lifeboat_app_db", archive, Duration.ofMillis(100), events::add);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    r.run(stop);
                } catch (Throwable e) {
                    failed.set(e);
                }
            }, "receiver-" + server.name());
            t.start();
            return new Streaming(r, stop, t, failed, events);
        }

        void awaitDurable(PostgresServer server) {
            Lsn end = Lsn.parse(server.queryOne("SELECT pg_current_wal_flush_lsn()"));
            Wait.until(Duration.ofSeconds(30), "WAL up to " + end + " durable", () -> {
                if (failed.get() != null) {
                    throw new IllegalStateException("the receiver failed", failed.get());
                }
                return !receiver.durable().isBefore(end);
            });
        }

        void stop() throws InterruptedException {
            stopFlag.set(true);
            thread.join(15_000);
        }
    }
}
