package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import dev.lifeboat.testkit.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent streams WAL from a standby (a wal schedule's {@code from}): the slot lives on the standby, the primary
 * keeps none; {@code status} judges the standby and how the primary feeds it; recovery to the latest point holds
 * what the primary committed. Then the standby is promoted, and the agent follows it onto its new timeline.
 */
class StandbySourceIT {
    @TempDir
    Path tmp;

    @Test
    void walStreamedFromAStandbyRecoversAndFollowsItsPromotion() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("ss").replicas(1).start()) {
            PostgresServer primary = pg.primary();
            PostgresServer replica = pg.replica(0);
            primary.execute("CREATE TABLE progress (id bigint PRIMARY KEY, body text)",
                    "INSERT INTO progress SELECT g, md5(g::text) FROM generate_series(1, 1000) g");
            Map<String, String> env = plan("replica-1", primary, replica);

            Map<String, String> wrong = plan("replica-9", primary, replica);
            Cli.Result check = Cli.run(wrong, "plan", "check");
            assertThat(check.status()).as(check.out() + check.err()).isEqualTo(20);
            assertThat(check.out() + check.err()).contains("undefined-reference", "options.from", "replica-9", "replica-1");

            assertThat(Cli.run(env, "repo", "init").status()).isZero();
            // First the agent streams from the primary; when the plan moves it to the standby, its old slot goes.
            Cli.Result fromPrimary = Cli.run(plan(null, primary, replica), "agent", "--stop-after", "3s");
            assertThat(fromPrimary.status()).as(fromPrimary.err()).isZero();
            assertThat(primary.queryOne("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'lifeboat_app_db'")).isEqualTo("1");

            Path metrics = tmp.resolve("agent.prom");
            Process agent = AgentFixture.startAgent(env, tmp.resolve("agent.log"), "--status-every", "1s", "--metrics-file", metrics.toString());
            try {
                Wait.until(Duration.ofSeconds(60), "the agent's slot on the standby", () -> replica.queryOne(
                        "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'lifeboat_app_db' AND active").equals("1"));
                assertThat(primary.queryOne("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'lifeboat_app_db'"))
                        .as("the primary keeps no slot for the agent").isEqualTo("0");
                assertThat(Files.readString(tmp.resolve("agent.log"))).contains("streaming WAL from replica replica-1",
                        "dropped slot lifeboat_app_db on the primary (127.0.0.1:" + primary.port() + "), left from when the agent streamed from there");

                Cli.Result backup = Cli.run(env, "backup", "postgres", "--cluster", "app-db");
                assertThat(backup.status()).as(backup.err()).isZero();
                primary.execute("INSERT INTO progress SELECT g, md5(g::text) FROM generate_series(1001, 3000) g");
                AgentFixture.awaitWalStored(primary, replica);

                Cli.Result status = Cli.run(env, "status", "--json");
                assertThat(status.status()).as(status.out() + status.err()).isZero();
                JsonNode c = status.json().get("postgres").get(0);
                assertThat(c.get("wal_source").asText()).isEqualTo("replica replica-1");
                assertThat(c.get("upstream").get("receiving").asBoolean()).isTrue();
                assertThat(c.get("upstream").get("behind_bytes").asLong()).isGreaterThanOrEqualTo(0);
                assertThat(c.get("slot").get("active").asBoolean()).isTrue();

                assertThat(AgentFixture.recoverLatestAndQuery(env, pg, "SELECT count(*) FROM progress")).isEqualTo("3000");
                // The agent's metrics include the standby's own lag, as status does.
                Wait.until(Duration.ofSeconds(30), "the standby's lag in the metrics", () -> text(metrics).contains("lifeboat_wal_upstream_receiving{cluster=\"app-db\"} 1"));
                assertThat(Files.readString(metrics)).containsPattern("lifeboat_wal_upstream_lag_seconds\\{cluster=\"app-db\"} \\d+\\.\\d{3}");
                assertThat(Files.readString(tmp.resolve("agent.log"))).contains("app-db: replica replica-1 receives WAL from the primary");

                // Failover to the standby the agent streams from: its walsender ends, the agent reconnects and follows
                // the new timeline, storing its history file. While the primary is down the standby receives nothing:
                // the metrics say so, and what it lacks counts in the RPO lag.
                primary.stop();
                Wait.until(Duration.ofSeconds(30), "the standby's silence in the metrics", () -> text(metrics)
                        .contains("lifeboat_wal_upstream_receiving{cluster=\"app-db\"} 0"));
                assertThat(Files.readString(tmp.resolve("agent.log"))).contains("PROBLEM replica replica-1, which the agent streams from, is not receiving");
                replica.queryOne("SELECT pg_promote(true, 60)");
                replica.execute("INSERT INTO progress SELECT g, md5(g::text) FROM generate_series(3001, 3500) g");
                String promotedEnd = replica.queryOne("SELECT pg_current_wal_flush_lsn()");
                Wait.until(Duration.ofSeconds(120), "the agent to confirm WAL of the new timeline", () -> replica.queryOne(
                        "SELECT coalesce(restart_lsn >= '" + promotedEnd + "'::pg_lsn, false) FROM pg_replication_slots "
                                + "WHERE slot_name = 'lifeboat_app_db' AND active").equals("t"));
                assertThat(AgentFixture.recoverLatestAndQuery(env, pg, "SELECT count(*) FROM progress", "rec2")).isEqualTo("3500");
                // Noticed when the walsender ends the stream at the timeline's end, or by the liveness check's timeline comparison.
                assertThat(Files.readString(tmp.resolve("agent.log"))).contains("timeline 2: stored its history file 00000002.history")
                        .containsAnyOf("ended the WAL stream of timeline 1", "is on timeline 2 now");
                Wait.until(Duration.ofSeconds(30), "the agent to see the promotion", () -> text(tmp.resolve("agent.log"))
                        .contains("replica replica-1, which the agent streams from, is no longer a standby"));
                Wait.until(Duration.ofSeconds(5), "the standby's lag to leave the metrics", () -> !text(metrics)
                        .contains("lifeboat_wal_upstream_receiving{cluster"));
            } finally {
                agent.destroy();
                agent.waitFor(30, TimeUnit.SECONDS);
                Files.readAllLines(tmp.resolve("agent.log")).stream().filter(l -> !l.contains("RPO lag")).forEach(System.out::println);
            }
        }
    }

    /** A file's text, or "" while it does not exist. */
    private static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** The plan, streaming from replica {@code from} (null: from the primary). */
    private Map<String, String> plan(String from, PostgresServer primary, PostgresServer replica) throws java.io.IOException {
        Path plan = tmp.resolve("lifeboat-" + from + ".yaml");
        Files.writeString(plan, String.join("\n",
                "version: 1",
                "name: standby-source",
                "objectives: {rto: 1h, rpo: 1m}",
                "resources:",
                "  postgres:",
                "    app-db:",
                "      primary: 127.0.0.1:" + primary.port(),
                "      replicas: {replica-1: {endpoint: 127.0.0.1:" + replica.port() + "}}",
                "      user: postgres",
                "      data-dir: " + primary.dataDirectory(),
                "repository:",
                "  regions:",
                "    local: {store: filesystem, path: " + tmp.resolve("repo") + "}",
                "  encryption: {passphrase: {env: LIFEBOAT_PASSPHRASE}}",
                "schedules:",
                "  wal-shipping: {job: wal, resources: [app-db], max-lag: 1m" + (from == null ? "" : ", options: {from: " + from + "}") + "}",
                ""));
        return Map.of("LIFEBOAT_PASSPHRASE", "standby source test", "LIFEBOAT_CONFIG", plan.toString());
    }
}
