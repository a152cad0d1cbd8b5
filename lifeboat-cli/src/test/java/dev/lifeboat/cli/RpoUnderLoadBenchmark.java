package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import dev.lifeboat.testkit.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The RPO-under-load benchmark of issue 4 (not part of the test suite: run it with {@code bench/rpo.sh}). Writers
 * insert one row per transaction at full speed and record every acknowledged commit with its time; after a while the
 * primary is killed with SIGKILL and its data directory deleted; the cluster is recovered from the repository with
 * {@code recover --mode database-only} (the latest point) and the acknowledged commits that are missing are counted,
 * with the time span they cover. The agent keeps running through the crash, as it would on its own machine.
 */
class RpoUnderLoadBenchmark {
    static final int WRITERS = Integer.getInteger("rpo.writers", 4);
    static final Duration LOAD = Duration.ofSeconds(Long.getLong("rpo.seconds", 15));

    @TempDir
    Path tmp;

    /** An acknowledged commit: its id and when the commit returned (epoch nanoseconds, from one clock). */
    record Ack(long id, long at) {
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"streaming", "synchronous"})
    void acknowledgedCommitsMissingAfterRecovery(String mode) throws Exception {
        boolean sync = mode.equals("synchronous");
        try (PostgresHarness pg = PostgresHarness.builder().name("rpo").start()) {
            PostgresServer primary = pg.primary();
            primary.execute("CREATE TABLE acks (id bigint PRIMARY KEY, at timestamptz DEFAULT clock_timestamp(), note text)");
            Map<String, String> env = AgentFixture.planWithWal(tmp, primary, "rpo");
            List<String> args = new ArrayList<>(List.of("--status-every", "1h"));
            if (sync) {
                args.add("--synchronous");
            }
            Process agent = AgentFixture.startAgent(env, tmp.resolve("agent.log"), args.toArray(String[]::new));
            List<Ack> acked = Collections.synchronizedList(new ArrayList<>());
            long crashAt;
            long started;
            try {
                AgentFixture.awaitSlotActive(primary);
                assertThat(Cli.run(env, "backup", "postgres", "--cluster", "app-db").status()).isZero();
                if (sync) {
                    primary.execute("ALTER SYSTEM SET synchronous_standby_names = '\"lifeboat_lifeboat_app_db\"'", "SELECT pg_reload_conf()");
                    Wait.until(Duration.ofSeconds(20), "the agent to be the synchronous standby", () -> primary.queryOne(
                            "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'").equals("1"));
                }
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong ids = new AtomicLong();
                List<Thread> writers = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    Thread t = new Thread(() -> write(primary, ids, acked, stop), "writer-" + w);
                    t.start();
                    writers.add(t);
                }
                started = System.nanoTime();
                Thread.sleep(LOAD.toMillis());
                crashAt = System.nanoTime();
                primary.crash(); // SIGKILL to the postmaster and its children
                stop.set(true);
                for (Thread t : writers) {
                    t.join(10_000);
                }
                deleteTree(primary.dataDirectory()); // the primary's disk is gone too
                Set<Long> present = new HashSet<>();
                String rows = AgentFixture.recoverLatestAndQuery(env, pg, "SELECT string_agg(id::text, ',') FROM acks");
                for (String id : rows == null ? new String[0] : rows.split(",")) {
                    present.add(Long.parseLong(id));
                }
                report(mode, acked, present, started, crashAt);
            } finally {
                agent.destroyForcibly();
                agent.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void write(PostgresServer primary, AtomicLong ids, List<Ack> acked, AtomicBoolean stop) {
        try (Connection c = primary.connect(); PreparedStatement ins = c.prepareStatement("INSERT INTO acks (id, note) VALUES (?, ?)")) {
            while (!stop.get()) {
                long id = ids.incrementAndGet();
                ins.setLong(1, id);
                ins.setString(2, "learner progress event " + id);
                ins.executeUpdate(); // autocommit: returns once the commit is acknowledged
                acked.add(new Ack(id, System.nanoTime()));
            }
        } catch (java.sql.SQLException e) {
            // the primary died: commits in flight were never acknowledged, so they are not counted
        }
    }

    private static void report(String mode, List<Ack> acked, Set<Long> present, long started, long crashAt) {
        List<Ack> missing;
        synchronized (acked) {
            missing = acked.stream().filter(a -> !present.contains(a.id())).sorted((a, b) -> Long.compare(a.at(), b.at())).toList();
        }
        double seconds = (crashAt - started) / 1e9;
        String span = missing.isEmpty() ? "none"
                : String.format(Locale.ROOT, "%.0f ms of commits, the oldest acknowledged %.0f ms before the crash",
                (missing.get(missing.size() - 1).at() - missing.get(0).at()) / 1e6, (crashAt - missing.get(0).at()) / 1e6);
        System.out.printf(Locale.ROOT, "RPO %-11s %d writers, %d commits acknowledged in %.1f s (%.0f/s); after kill -9 and recovery "
                        + "from the repository: %d acknowledged commits missing (%s)%n", mode, WRITERS, acked.size(), seconds,
                acked.size() / seconds, missing.size(), span);
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
