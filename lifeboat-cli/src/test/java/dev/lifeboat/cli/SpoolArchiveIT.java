package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.core.process.OsUser;
import dev.lifeboat.postgres.spool.SpoolDrain;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import dev.lifeboat.testkit.Reaper;
import dev.lifeboat.testkit.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;

/**
 * archive_command users: PostgreSQL's command only copies finished segments into a spool directory, and the running
 * agent stores them in the repository and empties the spool; the per-segment cost is reported.
 */
class SpoolArchiveIT {
    @TempDir
    Path tmp;

    /** Without the data directory in the plan the agent stores what archive_command hands over; with it, it reads ahead. */
    @org.junit.jupiter.params.ParameterizedTest(name = "read-ahead {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void segmentsHandedOverThroughTheSpoolReachTheRepository(boolean readAhead) throws Exception {
        Path spool = OsUser.ownedDirectory(Reaper.runDirectory().resolve("spool-" + Long.toHexString(System.nanoTime())), OsUser.POSTGRES);
        try (PostgresHarness pg = PostgresHarness.builder().name("spool").setting("archive_mode = on")
                .setting("archive_command = '" + SpoolDrain.archiveCommand(spool) + "'").start()) {
            PostgresServer primary = pg.primary();
            Path plan = tmp.resolve("lifeboat.yaml");
            Files.writeString(plan, String.join("\n",
                    "version: 1",
                    "name: spool",
                    "objectives: {rto: 1h, rpo: 15m}",
                    "resources:",
                    "  postgres:",
                    "    app-db: {primary: 127.0.0.1:" + primary.port() + ", user: postgres"
                            + (readAhead ? ", data-dir: " + primary.dataDirectory() : "") + "}",
                    "repository:",
                    "  regions:",
                    "    local: {store: filesystem, path: " + tmp.resolve("repo") + "}",
                    "  encryption: {passphrase: {env: LIFEBOAT_PASSPHRASE}}",
                    "schedules:",
                    "  wal-archive: {job: wal, resources: [app-db], max-lag: 5m, options: {spool: " + spool + "}}",
                    ""));
            Map<String, String> env = Map.of("LIFEBOAT_PASSPHRASE", "spool test", "LIFEBOAT_CONFIG", plan.toString());
            assertThat(Cli.run(env, "repo", "init").status()).isZero();
            AtomicReference<Cli.Result> agent = new AtomicReference<>();
            Thread t = new Thread(() -> agent.set(Cli.run(env, "agent", "--stop-after", "12s", "--status-every", "1h")), "agent");
            t.start();

            primary.execute("CREATE TABLE t (id int, filler text)");
            for (int i = 0; i < 4; i++) {
                primary.execute("INSERT INTO t SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g", "SELECT pg_switch_wal()");
            }
            Path walDir = tmp.resolve("repo/wal/app-db/00000001");
            Wait.until(Duration.ofSeconds(30), "four segments in the repository and an empty spool", () -> {
                try (var stored = Files.list(walDir); var left = Files.list(spool)) {
                    return stored.count() >= 4 && left.noneMatch(p -> p.getFileName().toString().matches("[0-9A-F]{24}"));
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            t.join(40_000);
            assertThat(agent.get().status()).as(agent.get().err()).isZero();
            assertThat(agent.get().err()).contains("archiving through the spool", "archive_command");
            if (readAhead) {
                assertThat(agent.get().err()).contains("reading ahead ready segments from " + primary.dataDirectory().resolve("pg_wal"));
            }
            // archive_command returned success only for segments the repository holds, and never failed.
            assertThat(primary.queryOne("SELECT archived_count >= 4 AND failed_count = 0 FROM pg_stat_archiver")).isEqualTo("t");
            Matcher m = Pattern.compile("(\\d+) file\\(s\\) stored, ([0-9.]+) ms each").matcher(agent.get().err());
            assertThat(m.find()).as(agent.get().err()).isTrue();
            assertThat(Long.parseLong(m.group(1))).isGreaterThanOrEqualTo(4);
            System.out.println("spool archiving: " + m.group(2) + " ms per 16 MiB segment");
            // status reads the archiver from the server: whether the last segment the server needs archived is archived.
            com.fasterxml.jackson.databind.JsonNode archiver = Cli.run(env, "status", "--json").json().get("postgres").get(0).get("archiver");
            assertThat(archiver.get("last_archived_wal").asText()).matches("[0-9A-F]{24}");
            // (Its value moves with any WAL the server writes meanwhile; WalProtectionTest judges both values.)
            assertThat(archiver.get("all_archived").isBoolean()).as(archiver.toString()).isTrue();
        }
    }
}
