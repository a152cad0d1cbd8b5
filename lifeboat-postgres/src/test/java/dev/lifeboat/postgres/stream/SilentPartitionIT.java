package dev.lifeboat.postgres.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.postgres.backup.PostgresTarget;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import dev.lifeboat.testkit.PartitionProxy;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import dev.lifeboat.testkit.Wait;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A link that dies without a reset: the replication connection stays open and writes into it succeed, so only a
 * check tells. The receiver notices within its liveness period, the supervisor reports the outage and its growing
 * lag, and once the link is back streaming resumes from the slot and catches up.
 */
class SilentPartitionIT {
    @TempDir
    Path dir;

    @Test
    void aSilentPartitionIsNoticedReportedAndRecoveredFrom() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("part").start();
             PartitionProxy link = PartitionProxy.start(pg.primary().port())) {
            PostgresServer primary = pg.primary();
            primary.execute("CREATE TABLE t (id bigserial PRIMARY KEY, body text)");
            Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")),
                    Optional.of(new Credentials.Passphrase("part".toCharArray())), RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
            PostgresTarget throughTheLink = new PostgresTarget("jdbc:postgresql://127.0.0.1:" + link.port() + "/postgres", "postgres",
                    Optional.empty(), primary.dataDirectory());
            List<String> events = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            StreamSupervisor supervisor = new StreamSupervisor("app-db",
                    () -> new WalReceiver(throughTheLink, "lifeboat_part", new WalArchive(repo, "app-db"), Duration.ofMillis(200), events::add), stop,
                    events::add);
            Thread t = new Thread(supervisor, "supervisor-under-test");
            t.start();
            try {
                Wait.until(Duration.ofSeconds(30), "streaming", supervisor::streaming);
                primary.execute("INSERT INTO t (body) VALUES ('before')");
                Lsn before = Lsn.parse(primary.queryOne("SELECT pg_current_wal_flush_lsn()"));
                Wait.until(Duration.ofSeconds(20), "the commit durable", () -> !supervisor.receiver().orElseThrow().durable().isBefore(before));

                link.partition();
                long cut = System.currentTimeMillis();
                primary.execute("INSERT INTO t (body) SELECT md5(g::text) FROM generate_series(1, 1000) g");
                Wait.until(Duration.ofSeconds(60), "the receiver to notice", () -> !supervisor.streaming());
                long noticed = System.currentTimeMillis() - cut;
                System.out.printf("silent partition noticed after %.1f s: %s%n", noticed / 1000.0, events);
                assertThat(noticed).as("within about the liveness period").isLessThan(WalReceiver.LIVENESS.toMillis() + 25_000);
                assertThat(events).anyMatch(e -> e.contains("streaming stopped") && (e.contains("stalled") || e.contains("liveness")));
                Thread.sleep(1500);
                assertThat(supervisor.rpoLagMillis(System.currentTimeMillis())).as("the outage shows as lag").isGreaterThan(1000);

                link.heal();
                long healed = System.currentTimeMillis();
                Lsn after = Lsn.parse(primary.queryOne("SELECT pg_current_wal_flush_lsn()"));
                Wait.until(Duration.ofSeconds(90), "streaming to resume and catch up", () -> supervisor.streaming()
                        && !supervisor.receiver().orElseThrow().durable().isBefore(after));
                System.out.printf("caught up %.1f s after the link healed%n", (System.currentTimeMillis() - healed) / 1000.0);
                Wait.until(Duration.ofSeconds(10), "the lag to settle", () -> supervisor.rpoLagMillis(System.currentTimeMillis()) < 2000);
            } finally {
                stop.set(true);
                t.join(20_000);
            }
        }
    }
}
