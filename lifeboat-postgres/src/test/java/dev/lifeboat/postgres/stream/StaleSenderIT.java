package dev.lifeboat.postgres.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.postgres.backup.PostgresTarget;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import dev.lifeboat.testkit.Wait;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;

/**
 * The agent's slot is held by a walsender whose client went silent (a connection of an earlier run that died
 * without a reset): instead of waiting for wal_sender_timeout, the receiver terminates it and streams at once.
 */
class StaleSenderIT {
    @TempDir
    Path dir;

    @Test
    void aSilentWalsenderHoldingTheSlotIsTerminated() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("stale").start()) {
            PostgresServer primary = pg.primary();
            String slot = "lifeboat_stale";
            primary.execute("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
            String start = primary.queryOne("SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = '" + slot + "'");

            // A client that started streaming on the slot under the agent's name and then said nothing more.
            Properties p = new Properties();
            PGProperty.USER.set(p, "postgres");
            PGProperty.REPLICATION.set(p, "true");
            PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
            PGProperty.PREFER_QUERY_MODE.set(p, "simple");
            PGProperty.APPLICATION_NAME.set(p, WalReceiver.applicationName(slot));
            try (Connection silent = DriverManager.getConnection(primary.jdbcUrl("postgres"), p)) {
                silent.unwrap(PGConnection.class).getReplicationAPI().replicationStream().physical().withSlotName(slot)
                        .withStartPosition(LogSequenceNumber.valueOf(start)).withStatusInterval(1, java.util.concurrent.TimeUnit.HOURS).start();
                Wait.until(Duration.ofSeconds(60), "the silent walsender to look dead", () -> primary.queryOne(
                        "SELECT coalesce(bool_or(extract(epoch FROM now() - coalesce(reply_time, backend_start)) > "
                                + (WalReceiver.STALE_SENDER.toSeconds() + 1) + "), false) FROM pg_stat_replication WHERE application_name = '"
                                + WalReceiver.applicationName(slot) + "'").equals("t"));

                Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")),
                        Optional.of(new Credentials.Passphrase("stale".toCharArray())), RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
                PostgresTarget target = new PostgresTarget(primary.jdbcUrl("postgres"), "postgres", Optional.empty(), primary.dataDirectory());
                List<String> events = new CopyOnWriteArrayList<>();
                AtomicBoolean stop = new AtomicBoolean();
                StreamSupervisor supervisor = new StreamSupervisor("app-db",
                        () -> new WalReceiver(target, slot, new WalArchive(repo, "app-db"), Duration.ofMillis(200), events::add), stop, events::add);
                Thread t = new Thread(supervisor, "stale-sender-supervisor");
                long began = System.nanoTime();
                t.start();
                try {
                    Wait.until(Duration.ofSeconds(30), "streaming", supervisor::streaming);
                    System.out.printf("streaming %.1f s after start: %s%n", (System.nanoTime() - began) / 1e9, events);
                    assertThat(events).anyMatch(e -> e.contains("terminated walsender") && e.contains("held slot " + slot));
                    assertThat((System.nanoTime() - began) / 1e9).as("not waiting for wal_sender_timeout").isLessThan(30);
                } finally {
                    stop.set(true);
                    t.join(20_000);
                }
            }
        }
    }
}
