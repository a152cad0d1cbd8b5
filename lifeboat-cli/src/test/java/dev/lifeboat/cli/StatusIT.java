package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import dev.lifeboat.testkit.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recovery point lag, seen two ways while a writer commits as fast as it can: the agent's metrics file and
 * {@code lifeboat status}. Then the agent is killed: status turns red, naming the agent and the pg_wal the slot now
 * holds back, and the metrics file goes stale.
 */
class StatusIT {
    @TempDir
    Path tmp;

    @Test
    void theLagStaysNearTheFlushIntervalUnderLoadAndAnAgentGoneIsNamed() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("status").start()) {
            PostgresServer primary = pg.primary();
            primary.execute("CREATE TABLE t (id bigserial PRIMARY KEY, body text)");
            Map<String, String> env = AgentFixture.planWithWal(tmp, primary, "status");
            Path metrics = tmp.resolve("lifeboat.prom");
            String[] idleOut = {""};
            Process agent = AgentFixture.startAgent(env, tmp.resolve("agent.log"), "--metrics-file", metrics.toString(), "--status-every", "1s");
            try {
                AgentFixture.awaitSlotActive(primary);
                // The file is rewritten every second: it says streaming once the server has accepted the stream.
                Wait.until(Duration.ofSeconds(30), "the metrics file to say streaming", () -> read(metrics).contains("lifeboat_wal_streaming{cluster=\"app-db\"} 1\n"));

                AtomicBoolean writing = new AtomicBoolean(true);
                AtomicLong commits = new AtomicLong();
                Thread writer = new Thread(() -> {
                    try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"), "postgres", ""); Statement st = c.createStatement()) {
                        while (writing.get()) {
                            st.execute("INSERT INTO t (body) SELECT repeat(md5(random()::text), 8) FROM generate_series(1, 20)");
                            commits.incrementAndGet();
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, "status-it-writer");
                writer.start();
                List<Double> lags = new ArrayList<>();
                JsonNode underLoad;
                try {
                    for (int i = 0; i < 8; i++) { // about 4 s of samples
                        Thread.sleep(500);
                        String text = Files.readString(metrics);
                        assertThat(value(text, "lifeboat_wal_streaming")).isEqualTo(1.0);
                        lags.add(value(text, "lifeboat_wal_rpo_lag_seconds"));
                    }
                    Cli.Result status = Cli.run(env, "status", "--json");
                    assertThat(status.status()).as(status.out() + status.err()).isZero();
                    underLoad = status.json().get("postgres").get(0);
                } finally {
                    writing.set(false);
                    writer.join(10_000);
                }
                System.out.printf("RPO lag under load (%d commits): agent %s s; status %s s%n", commits.get(), lags,
                        underLoad.get("rpo_lag_seconds"));
                assertThat(commits.get()).as("the writer committed").isGreaterThan(20);
                assertThat(lags).as("the agent's lag, with the partial segment stored every second").allMatch(l -> l >= 0 && l <= 3.0);
                assertThat(underLoad.get("ok").asBoolean()).isTrue();
                assertThat(underLoad.get("mode").asText()).isEqualTo("streaming");
                assertThat(underLoad.get("streaming").get("state").asText()).isEqualTo("streaming");
                assertThat(underLoad.get("rpo_lag_seconds").asDouble()).isBetween(0.0, 3.0);
                assertThat(underLoad.get("slot").get("active").asBoolean()).isTrue();

                Wait.until(Duration.ofSeconds(20), "the agent to confirm everything", () -> primary.queryOne(
                        "SELECT flush_lsn = pg_current_wal_lsn() FROM pg_stat_replication WHERE application_name = 'lifeboat_lifeboat_app_db'").equals("t"));
                Cli.Result idle = Cli.run(env, "status");
                idleOut[0] = idle.out();
                assertThat(idle.status()).as(idle.out() + idle.err()).isZero();
                assertThat(idle.out()).contains("app-db: streaming (async) into the repository", "RPO lag      0.0 s",
                        "the agent has confirmed everything the server wrote", "Protected");

                // A monitoring host without the passphrase: the server's view and the store's listing still tell the lag.
                Map<String, String> keyless = new java.util.HashMap<>(env);
                keyless.remove("LIFEBOAT_PASSPHRASE");
                Cli.Result noKey = Cli.run(keyless, "status", "--json");
                assertThat(noKey.status()).as(noKey.out() + noKey.err()).isZero();
                JsonNode nk = noKey.json().get("postgres").get(0);
                assertThat(nk.get("rpo_lag_seconds").asDouble()).isZero();
                assertThat(nk.get("newest_wal_stored").isNull()).as("the store's listing gives the newest WAL").isFalse();
                assertThat(nk.get("notes").toString()).contains("no passphrase or key file");
                // A passphrase file named but unreadable is an error, not a quiet switch to checking less.
                Cli.Result badFile = Cli.run(keyless, "status", "--passphrase-file", tmp.resolve("no-such-file").toString());
                assertThat(badFile.status()).as(badFile.out() + badFile.err()).isEqualTo(98);
                assertThat(badFile.out()).contains("the repository cannot be read", "no-such-file");
            } finally {
                agent.destroyForcibly();
                agent.waitFor(10, TimeUnit.SECONDS);
            }

            primary.execute("INSERT INTO t (body) VALUES ('after the agent is gone')", "SELECT pg_switch_wal()",
                    "INSERT INTO t (body) VALUES ('more')");
            Wait.until(Duration.ofSeconds(20), "the walsender to go", () -> primary.queryOne(
                    "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'lifeboat_lifeboat_app_db'").equals("0"));
            Cli.Result down = Cli.run(env, "status");
            System.out.println("lifeboat status, caught up:\n" + idleOut[0] + "lifeboat status, agent gone:\n" + down.out());
            assertThat(down.status()).as(down.out() + down.err()).isEqualTo(98);
            assertThat(down.out()).contains("app-db: NOT streaming", "PROBLEM      the agent is not streaming",
                    "pg_wal grows with nothing consuming it: slot lifeboat_app_db holds", "protection-degraded");
            JsonNode json = Cli.run(env, "status", "--json").json().get("postgres").get(0);
            assertThat(json.get("slot").get("active").asBoolean()).isFalse();

            // Without a 'wal' schedule only base backups protect the cluster: --cluster must not call it protected.
            Path noWal = tmp.resolve("no-wal.yaml");
            Files.writeString(noWal, Files.readString(Path.of(env.get("LIFEBOAT_CONFIG"))).replace("  wal-shipping: {job: wal, resources: [app-db], max-lag: 1m}\n",
                    "  nightly: {job: backup, resources: [app-db], cron: \"0 2 * * *\"}\n"));
            Cli.Result unprotected = Cli.run(Map.of("LIFEBOAT_PASSPHRASE", env.get("LIFEBOAT_PASSPHRASE"), "LIFEBOAT_CONFIG", noWal.toString()),
                    "status", "--cluster", "app-db");
            assertThat(unprotected.status()).as(unprotected.out() + unprotected.err()).isEqualTo(98);
            assertThat(unprotected.out()).contains("no 'wal' schedule covers app-db and it has no base backup");
            assertThat(json.get("slot").get("retained_bytes").asLong()).isPositive();

            double stamp = value(Files.readString(metrics), "lifeboat_agent_metrics_timestamp_seconds");
            Thread.sleep(1500);
            assertThat(value(Files.readString(metrics), "lifeboat_agent_metrics_timestamp_seconds")).as("a stale file tells the agent is gone")
                    .isEqualTo(stamp);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** The value of the first sample of {@code metric} in a Prometheus text file. */
    private static double value(String text, String metric) {
        Matcher m = Pattern.compile("(?m)^" + metric + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        assertThat(m.find()).as(metric + " in\n" + text).isTrue();
        return Double.parseDouble(m.group(2));
    }
}
