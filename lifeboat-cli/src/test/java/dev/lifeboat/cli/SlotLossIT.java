package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
 * A slot the server gives up on: with max_slot_wal_keep_size set and the agent down, the server invalidates the
 * slot and removes WAL the repository never got. Status names it; the restarted agent says so, replaces the slot and
 * streams on; status keeps the gap red until a new base backup starts after it.
 */
class SlotLossIT {
    @TempDir
    Path tmp;

    @Test
    void aLostSlotIsNamedReplacedAndTheGapStaysRedUntilTheNextBackup() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("sl") // short: the socket path has a 107-byte limit
                .setting("max_slot_wal_keep_size = 32MB").setting("max_wal_size = 64MB").setting("min_wal_size = 32MB").start()) {
            PostgresServer primary = pg.primary();
            primary.execute("CREATE TABLE t (id bigserial PRIMARY KEY, body text)");
            Map<String, String> env = AgentFixture.planWithWal(tmp, primary, "slotloss");
            Process agent = AgentFixture.startAgent(env, tmp.resolve("agent-1.log"));
            try {
                AgentFixture.awaitSlotActive(primary);
                Cli.Result backup = Cli.run(env, "backup", "postgres", "--cluster", "app-db");
                assertThat(backup.status()).as(backup.err()).isZero();
            } finally {
                agent.destroyForcibly();
                agent.waitFor(10, TimeUnit.SECONDS);
            }
            Wait.until(Duration.ofSeconds(20), "the slot to be released", () -> primary.queryOne(
                    "SELECT NOT active FROM pg_replication_slots WHERE slot_name = 'lifeboat_app_db'").equals("t"));

            // More WAL than max_slot_wal_keep_size, then checkpoints: the server invalidates the slot.
            for (int round = 0; round < 12 && !primary.queryOne(
                    "SELECT coalesce(wal_status, '') FROM pg_replication_slots WHERE slot_name = 'lifeboat_app_db'").equals("lost"); round++) {
                primary.execute("INSERT INTO t (body) SELECT repeat(md5(g::text), 30) FROM generate_series(1, 20000) g",
                        "SELECT pg_switch_wal()", "CHECKPOINT");
            }
            assertThat(primary.queryOne("SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'lifeboat_app_db'")).isEqualTo("lost");

            Cli.Result lost = Cli.run(env, "status");
            assertThat(lost.status()).as(lost.out() + lost.err()).isEqualTo(98);
            assertThat(lost.out()).contains("slot lifeboat_app_db has lost WAL", "the agent is not streaming");

            Path log = tmp.resolve("agent-2.log");
            agent = AgentFixture.startAgent(env, log);
            try {
                AgentFixture.awaitSlotActive(primary);
                Wait.until(Duration.ofSeconds(30), "the agent to say what it did", () -> read(log).contains("was invalidated by the server"));
                assertThat(read(log)).contains("replaced the slot, streaming resumes at", "take a new base backup now");
                primary.execute("INSERT INTO t (body) VALUES ('after the loss')");
                AgentFixture.awaitWalStored(primary);

                Cli.Result gap = Cli.run(env, "status");
                System.out.println("lifeboat status after the slot was replaced:\n" + gap.out());
                assertThat(gap.status()).as(gap.out() + gap.err()).isEqualTo(98);
                assertThat(gap.out()).contains("are missing: recovery from the newest backup", "take a new base backup")
                        .doesNotContain("not streaming");

                Cli.Result again = Cli.run(env, "backup", "postgres", "--cluster", "app-db");
                assertThat(again.status()).as(again.err()).isZero();
                Cli.Result ok = Cli.run(env, "status");
                assertThat(ok.status()).as(ok.out() + ok.err()).isZero();
                assertThat(ok.out()).contains("Protected");
                assertThat(Cli.run(env, "verify", "--quick", "--only", "postgres").out()).as("the older backup still cannot pass the gap")
                        .contains("are missing");
            } finally {
                agent.destroyForcibly();
                agent.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
