package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalSegment;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster made with {@code initdb --wal-segsize=1}: the agent stores its 1 MiB segments, and restore_command
 * ({@code wal fetch}, told nothing about the size) serves them whole, pads the partial last one to 1 MiB, and
 * prefetches the next ones. It used to take every segment for a partial 16 MiB one and pad it, which PostgreSQL
 * refuses ("archive file has wrong size").
 */
class WalSegmentSizeIT {
    @TempDir
    Path tmp;

    @Test
    void restoreCommandServesSegmentsOfTheClustersOwnSize() throws Exception {
        long size = 1024 * 1024;
        try (PostgresHarness pg = PostgresHarness.builder().name("seg").initdbOption("--wal-segsize=1").start()) {
            PostgresServer primary = pg.primary();
            assertThat(primary.queryOne("SHOW wal_segment_size")).isEqualTo("1MB");
            Map<String, String> env = AgentFixture.planWithWal(tmp, primary, "segsize");
            Process agent = AgentFixture.startAgent(env, tmp.resolve("agent.log"), "--flush-every", "200ms", "--status-every", "1h");
            WalSegment first;
            try {
                AgentFixture.awaitSlotActive(primary);
                first = WalSegment.of(1, Lsn.parse(primary.queryOne("SELECT pg_current_wal_lsn()")), size);
                primary.execute("CREATE TABLE t (id int, pad text)");
                for (int i = 0; i < 4; i++) {
                    primary.execute("INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 2000) g");
                    primary.queryOne("SELECT pg_switch_wal()");
                }
                primary.execute("INSERT INTO t VALUES (0, 'the partial last segment')");
                AgentFixture.awaitWalStored(primary);
            } finally {
                agent.destroy();
                agent.waitFor(20, TimeUnit.SECONDS);
            }
            Path recovering = Files.createDirectories(tmp.resolve("recovering").resolve("global")).getParent();
            Files.copy(primary.dataDirectory().resolve("global/pg_control"), recovering.resolve("global/pg_control"));
            Path dest = Files.createDirectories(recovering.resolve("pg_wal")).resolve("RECOVERYXLOG");
            Path cacheBase = tmp.resolve("prefetch");

            Path walDir = primary.dataDirectory().resolve("pg_wal");
            Path cache = cacheBase.resolve("lifeboat-wal-" + System.getProperty("user.name"))
                    .resolve("app-db-" + primary.queryOne("SELECT system_identifier FROM pg_control_system()"));
            Cli.Result whole = Cli.run(env, "wal", "fetch", "--cluster", "app-db", "--cache", cacheBase.toString(), "--prefetch", "2",
                    first.fileName(), dest.toString());
            assertThat(whole.status()).as(whole.err()).isZero();
            assertThat(Files.readAllBytes(dest)).as("whole, not padded").isEqualTo(Files.readAllBytes(walDir.resolve(first.fileName())));
            assertThat(cache.resolve(first.next().fileName())).as("the next segment is prefetched").exists();

            Cli.Result prefetched = Cli.run(env, "wal", "fetch", "--cluster", "app-db", "--cache", cacheBase.toString(), "--prefetch", "2",
                    first.next().fileName(), dest.toString());
            assertThat(prefetched.status()).as(prefetched.err()).isZero();
            assertThat(cache.resolve(first.next().fileName())).as("served from the prefetch directory").doesNotExist();
            assertThat(Files.readAllBytes(dest)).isEqualTo(Files.readAllBytes(walDir.resolve(first.next().fileName())));

            WalSegment last = WalSegment.of(1, Lsn.parse(primary.queryOne("SELECT pg_current_wal_lsn()")), size);
            Cli.Result partial = Cli.run(env, "wal", "fetch", "--cluster", "app-db", "--cache", cacheBase.toString(), "--prefetch", "0",
                    last.fileName(), dest.toString());
            assertThat(partial.status()).as(partial.err()).isZero();
            assertThat(Files.size(dest)).as("the partial last segment, padded to the cluster's segment size").isEqualTo(size);
            assertThat(java.util.Arrays.copyOf(Files.readAllBytes(dest), 8192))
                    .isEqualTo(java.util.Arrays.copyOf(Files.readAllBytes(walDir.resolve(last.fileName())), 8192));
        }
    }
}
