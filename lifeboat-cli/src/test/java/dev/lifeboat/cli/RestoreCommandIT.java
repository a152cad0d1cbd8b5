package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import dev.lifeboat.testkit.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code restore_command = lifeboat wal fetch ...} as a user sets it up by hand: a base backup restored with
 * {@code restore dir}, recovery.signal, and a PostgreSQL server that asks Lifeboat for every WAL file it replays,
 * each call its own JVM running as the server's user, through to promotion with every row.
 */
class RestoreCommandIT {
    @TempDir
    Path tmp;

    @Test
    void aRunningServerReplaysThroughWalFetch() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("fetch").start()) {
            PostgresServer primary = pg.primary();
            primary.execute("CREATE TABLE events (id int PRIMARY KEY, body text)");
            Map<String, String> env = AgentFixture.planWithWal(tmp, primary, "fetch");
            Process agent = AgentFixture.startAgent(env, tmp.resolve("agent.log"), "--status-every", "1h");
            try {
                AgentFixture.awaitSlotActive(primary);
                Cli.Result backup = Cli.run(env, "backup", "postgres", "--cluster", "app-db");
                assertThat(backup.status()).as(backup.err()).isZero();
                for (int i = 0; i < 6; i++) { // rows across several WAL segments
                    primary.execute("INSERT INTO events SELECT g, repeat(md5(g::text), 20) FROM generate_series(" + (i * 5000 + 1) + ", "
                            + (i * 5000 + 5000) + ") g", "SELECT pg_switch_wal()");
                }
                primary.execute("INSERT INTO events VALUES (999999, 'the last commit, in the partial segment')");
                AgentFixture.awaitWalStored(primary);
            } finally {
                agent.destroyForcibly();
                agent.waitFor(10, TimeUnit.SECONDS);
            }

            Path home = pg.newServerHome("wf");
            Path data = home.resolve("data");
            Cli.Result restore = Cli.run(env, "restore", "dir", "--snapshot", "latest", "--name", "app-db", "--to", data.toString());
            assertThat(restore.status()).as(restore.err()).isZero();

            // The server runs the command as its own user: it must reach the plan, the repository and a passphrase file.
            UserPrincipal postgres = Files.getOwner(data);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path pass = Files.writeString(tmp.resolve("passphrase"), env.get("LIFEBOAT_PASSPHRASE"));
            Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
            Files.setOwner(pass, postgres);
            Path cache = Files.createDirectories(home.resolve("wal-cache"));
            Files.setOwner(cache, postgres);
            String java = ProcessHandle.current().info().command().orElse("java");
            Path jar = Path.of("target", "lifeboat.jar").toAbsolutePath();
            Path calls = home.resolve("calls.log");
            String command = "echo %f >> " + calls + "; " + java + " -jar " + jar
                    + " wal fetch --config " + env.get("LIFEBOAT_CONFIG") + " --passphrase-file " + pass + " --cluster app-db --cache " + cache
                    + " %f %p";
            Files.writeString(data.resolve("postgresql.auto.conf"), "\nrestore_command = '" + command + "'\n", StandardOpenOption.APPEND);
            Files.setOwner(Files.writeString(data.resolve("recovery.signal"), ""), postgres);
            Files.setOwner(Files.writeString(calls, ""), postgres);

            PostgresServer recovered = pg.serverAt(home, "wf");
            long t0 = System.nanoTime();
            try {
                recovered.start();
                Wait.until(Duration.ofSeconds(180), "replay through wal fetch to finish and promote", () -> !recovered.isInRecovery());
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError(diagnosis(calls, recovered.log(), tmp.resolve("agent.log")), e);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            var asked = Files.readAllLines(calls);
            System.out.printf("restore_command: %d calls in %.1f s (%.2f s per call, JVM start included): %s%n", asked.size(), seconds,
                    seconds / Math.max(1, asked.size()), asked);
            String diagnosis = diagnosis(calls, recovered.log(), tmp.resolve("agent.log"));
            assertThat(recovered.queryOne("SELECT count(*) FROM events")).as(diagnosis).isEqualTo("30001");
            assertThat(recovered.queryOne("SELECT body FROM events WHERE id = 999999")).isEqualTo("the last commit, in the partial segment");
            assertThat(asked).as("segments and the timeline history were asked for").hasSizeGreaterThan(6);
            String log = Files.readString(recovered.log());
            assertThat(log).contains("from the prefetch directory", "(the partial last segment, padded)");
        }
    }

    /** On a failure: which files the server asked for, and what the server and the agent logged. */
    private static String diagnosis(Path calls, Path serverLog, Path agentLog) throws java.io.IOException {
        return "calls: " + Files.readAllLines(calls) + "\nserver log:\n" + tail(serverLog, 60) + "\nagent log:\n" + tail(agentLog, 30);
    }

    private static String tail(Path file, int lines) throws java.io.IOException {
        if (!Files.exists(file)) {
            return "(no " + file + ")";
        }
        List<String> all = Files.readAllLines(file);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
