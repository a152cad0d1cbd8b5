package dev.lifeboat.postgres.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.postgres.backup.PostgresTarget;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.postgres.wal.WalSegment;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import dev.lifeboat.testkit.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WAL streamed from a real server arrives in the repository byte for byte, and the partial segment keeps up. */
class WalReceiverIT {
    @TempDir
    Path dir;

    @Test
    void segmentsArriveIdenticalAndThePartialTrailsByAboutTheFlushInterval() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().start()) {
            PostgresServer primary = pg.primary();
            Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")),
                    Optional.of(new Credentials.Passphrase("wal".toCharArray())), RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
            WalArchive archive = new WalArchive(repo, "app-db");
            WalReceiver receiver = new WalReceiver(new PostgresTarget(primary.jdbcUrl("postgres"), "postgres", Optional.empty(),
                    primary.dataDirectory()), "lifeboat_wal", archive, Duration.ofMillis(200));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    receiver.run(stop);
                } catch (Throwable e) {
                    failed.set(e);
                }
            }, "wal-receiver");
            t.start();
            try {
                primary.execute("CREATE TABLE events (id bigserial PRIMARY KEY, payload text)");
                for (int i = 0; i < 3; i++) {
                    primary.execute("INSERT INTO events (payload) SELECT repeat('x', 200) FROM generate_series(1, 20000)", "SELECT pg_switch_wal()");
                }
                long segmentSize = Long.parseLong(primary.queryOne("SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'"));
                Wait.until(Duration.ofSeconds(60), "three whole segments in the repository", () -> {
                    if (failed.get() != null) {
                        throw new IllegalStateException("receiver failed", failed.get());
                    }
                    return archive.segments(segmentSize).size() >= 3;
                });

                // An archived segment is byte-identical to the server's own file.
                List<WalSegment> stored = archive.segments(segmentSize);
                WalSegment s = stored.get(stored.size() - 1);
                Path onServer = primary.dataDirectory().resolve("pg_wal").resolve(s.fileName());
                assertThat(onServer).as("the server still holds %s", s).exists();
                assertThat(sha256(archive.segment(s))).as("segment %s", s).isEqualTo(sha256(Files.readAllBytes(onServer)));

                // A commit made now is durable in the repository within about the flush interval.
                primary.execute("INSERT INTO events (payload) VALUES ('after')");
                Lsn committed = Lsn.parse(primary.queryOne("SELECT pg_current_wal_flush_lsn()"));
                long t0 = System.nanoTime();
                Wait.until(Duration.ofSeconds(10), "the commit to be durable in the repository", () -> !receiver.durable().isBefore(committed));
                long lagMillis = (System.nanoTime() - t0) / 1_000_000;
                assertThat(lagMillis).as("RPO lag in ms").isLessThan(3000);
                WalSegment current = WalSegment.of(receiver.timeline(), committed, segmentSize);
                assertThat(archive.partial(current)).isPresent();

                // The slot follows what is durable, so the server may recycle what the repository holds.
                Lsn slot = Lsn.parse(primary.queryOne("SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = 'lifeboat_wal'"));
                assertThat(slot).isGreaterThanOrEqualTo(stored.get(0).end());
            } finally {
                stop.set(true);
                t.join(10_000);
            }
            assertThat(failed.get()).isNull();
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }
}
