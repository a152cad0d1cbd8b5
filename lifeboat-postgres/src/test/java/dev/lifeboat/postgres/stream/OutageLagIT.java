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
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blip after a quiet spell is a new outage: the RPO lag counts from it, not from an earlier outage the streaming
 * in between had long recovered from (that used to report the whole quiet spell as lag, and fire the RPO alert).
 */
class OutageLagIT {
    @TempDir
    Path dir;

    @Test
    void aBlipAfterAQuietSpellCountsFromTheBlip() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("blip").start()) {
            PostgresServer primary = pg.primary();
            Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")),
                    Optional.of(new Credentials.Passphrase("blip".toCharArray())), RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
            WalArchive archive = new WalArchive(repo, "app-db");
            PostgresTarget target = new PostgresTarget(primary.jdbcUrl("postgres"), "postgres", Optional.empty(), primary.dataDirectory());
            AtomicBoolean stop = new AtomicBoolean();
            List<String> events = new CopyOnWriteArrayList<>();
            StreamSupervisor s = new StreamSupervisor("app-db", () -> new WalReceiver(target, "lifeboat_app_db", archive, Duration.ofMillis(100)),
                    stop, events::add);
            Thread t = new Thread(s, "supervisor-under-test");
            t.start();
            try {
                Wait.until(Duration.ofSeconds(20), "streaming", s::streaming);
                primary.execute("CREATE TABLE t (id int)", "INSERT INTO t SELECT generate_series(1, 1000)");
                Wait.until(Duration.ofSeconds(20), "the insert to be durable", () -> s.receiver().orElseThrow().progressed());
                blip(primary, events, 1);          // an outage, soon over
                Wait.until(Duration.ofSeconds(20), "streaming again", s::streaming);
                Thread.sleep(2500);                // a quiet spell: nothing written, nothing at risk
                blip(primary, events, 2);
                long lag = s.rpoLagMillis(System.currentTimeMillis());
                assertThat(lag).as("lag right after the second blip").isLessThan(1500);
            } finally {
                stop.set(true);
                t.join(15_000);
            }
        }
    }

    /** Ends the agent's replication connection from the server's side, and waits until the supervisor has seen it. */
    private static void blip(PostgresServer primary, List<String> events, int nth) {
        primary.queryOne("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_replication WHERE application_name LIKE 'lifeboat%'");
        Wait.until(Duration.ofSeconds(20), "failure " + nth + " to be seen",
                () -> events.stream().filter(e -> e.contains("streaming stopped")).count() >= nth);
    }
}
