package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.postgres.recovery.PostgresControl;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import dev.lifeboat.testkit.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RPO zero: with the agent in synchronous mode named in synchronous_standby_names, every commit returns only once its
 * WAL is in the repository, so killing the agent with SIGKILL right after the last commit loses nothing.
 */
class SynchronousAgentIT {
    @TempDir
    Path tmp;

    @Test
    void everyCommitThatReturnedIsInTheRepositoryWhenTheAgentDies() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("sync").start()) {
            PostgresServer primary = pg.primary();
            primary.execute("CREATE TABLE payments (id int PRIMARY KEY, amount int)");
            Map<String, String> env = AgentFixture.planWithWal(tmp, primary, "sync");
            // Set up wrong at first: the agent says what keeps commits from waiting for the repository.
            primary.execute("ALTER SYSTEM SET synchronous_commit = remote_write", "SELECT pg_reload_conf()");
            Process agent = AgentFixture.startAgent(env, tmp.resolve("agent.log"), "--synchronous", "--status-every", "1h");
            try {
                AgentFixture.awaitSlotActive(primary);
                assertThat(Cli.run(env, "backup", "postgres", "--cluster", "app-db").status()).isZero();
                assertThat(Files.readString(tmp.resolve("agent.log"))).contains("synchronous_standby_names = '\"lifeboat_lifeboat_app_db\"'",
                        "WARNING synchronous_commit = remote_write on the primary: commits return once the agent has received their WAL",
                        "WARNING synchronous_standby_names = '' on the primary does not name lifeboat_lifeboat_app_db");
                primary.execute("ALTER SYSTEM RESET synchronous_commit", "SELECT pg_reload_conf()");
                primary.execute("ALTER SYSTEM SET synchronous_standby_names = '\"lifeboat_lifeboat_app_db\"'", "SELECT pg_reload_conf()");
                Wait.until(Duration.ofSeconds(20), "the agent to be the synchronous standby", () -> primary.queryOne(
                        "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'lifeboat_lifeboat_app_db' AND sync_state = 'sync'")
                        .equals("1"));
                long t0 = System.nanoTime();
                try (Connection c = primary.connect(); Statement st = c.createStatement()) {
                    for (int i = 1; i <= 300; i++) {
                        st.execute("INSERT INTO payments VALUES (" + i + ", " + i * 10 + ")");   // autocommit: one commit each
                    }
                }
                long micros = (System.nanoTime() - t0) / 1000 / 300;
                agent.destroyForcibly();   // SIGKILL right after the last commit returned
                agent.waitFor(10, TimeUnit.SECONDS);
                System.out.println("synchronous commit latency: " + micros + " us per commit");
            } finally {
                agent.destroyForcibly();
                primary.execute("ALTER SYSTEM RESET synchronous_standby_names", "SELECT pg_reload_conf()");
            }
            assertThat(AgentFixture.recoverLatestAndQuery(env, pg, "SELECT count(*) || '/' || max(id) FROM payments"))
                    .as("every commit that returned").isEqualTo("300/300");
        }
    }
}
