package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.testkit.PostgresServer;
import dev.lifeboat.testkit.Wait;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the agent tests share: a plan with one cluster streamed by a 'wal' schedule and a filesystem repository,
 * the repository initialised, and the agent started as its own JVM from the shaded jar (so it can be killed).
 */
final class AgentFixture {
    private AgentFixture() {
    }

    /** Writes the plan, initialises the repository and returns the environment the commands run with. */
    static Map<String, String> planWithWal(Path tmp, PostgresServer primary, String name) throws IOException {
        Path plan = tmp.resolve("lifeboat.yaml");
        Files.writeString(plan, String.join("\n",
                "version: 1",
                "name: " + name,
                "objectives: {rto: 1h, rpo: 1m}",
                "resources:",
                "  postgres:",
                "    app-db: {primary: 127.0.0.1:" + primary.port() + ", data-dir: " + primary.dataDirectory() + ", user: postgres}",
                "repository:",
                "  regions:",
                "    local: {store: filesystem, path: " + tmp.resolve("repo") + "}",
                "  encryption: {passphrase: {env: LIFEBOAT_PASSPHRASE}}",
                "schedules:",
                "  wal-shipping: {job: wal, resources: [app-db], max-lag: 1m}",
                ""));
        Map<String, String> env = Map.of("LIFEBOAT_PASSPHRASE", name + " test", "LIFEBOAT_CONFIG", plan.toString());
        assertThat(Cli.run(env, "repo", "init").status()).isZero();
        return env;
    }

    /** Starts {@code lifeboat agent ARGS} as a separate JVM, its output going to {@code log}. */
    static Process startAgent(Map<String, String> env, Path log, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("agent"));
        all.addAll(List.of(args));
        return startLifeboat(env, log, List.of(), all);
    }

    /** Starts {@code lifeboat ARGS} as a separate JVM with {@code jvmOptions}, its output going to {@code log}. */
    static Process startLifeboat(Map<String, String> env, Path log, List<String> jvmOptions, List<String> args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path jar = Path.of("target", "lifeboat.jar").toAbsolutePath();
        assertThat(jar).exists();
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * Recovers app-db to the end of its archived WAL into a new server of {@code pg}, returns the first column of
     * {@code query}'s single row there, and stops the recovered server.
     */
    static String recoverLatestAndQuery(Map<String, String> env, dev.lifeboat.testkit.PostgresHarness pg, String query) throws Exception {
        return recoverLatestAndQuery(env, pg, query, "rec");
    }

    /** As above, into the server home {@code home} (short: the socket path has a 107-byte limit). */
    static String recoverLatestAndQuery(Map<String, String> env, dev.lifeboat.testkit.PostgresHarness pg, String query, String homeName)
            throws Exception {
        Path home = pg.newServerHome(homeName);
        int port = dev.lifeboat.testkit.FreePort.pick();
        try {
            Cli.Result r = Cli.run(env, "recover", "--mode", "database-only", "--cluster", "app-db", "--to", home.resolve("data").toString(),
                    "--port", Integer.toString(port), "--confirm");
            assertThat(r.status()).as(r.err()).isZero();
            try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
                 var st = c.createStatement(); var rs = st.executeQuery(query)) {
                rs.next();
                return rs.getString(1);
            }
        } finally {
            if (Files.exists(home.resolve("data/postmaster.pid"))) {
                dev.lifeboat.postgres.recovery.PostgresControl.of(home.resolve("data"), java.util.Optional.empty()).stop(Duration.ofSeconds(30));
            }
        }
    }

    /** Waits until the repository holds the WAL {@code primary} has flushed so far (the agent's slot there confirmed it). */
    static void awaitWalStored(PostgresServer primary) {
        awaitWalStored(primary, primary);
    }

    /** As above, with the agent's slot on {@code slotHolder} (a standby it streams from). */
    static void awaitWalStored(PostgresServer primary, PostgresServer slotHolder) {
        String end = primary.queryOne("SELECT pg_current_wal_flush_lsn()");
        Wait.until(Duration.ofSeconds(30), "the repository to hold the WAL up to " + end, () -> slotHolder.queryOne(
                "SELECT restart_lsn >= '" + end + "'::pg_lsn FROM pg_replication_slots WHERE slot_name = 'lifeboat_app_db'").equals("t"));
    }

    /** Waits until the agent's replication slot on {@code primary} is active. */
    static void awaitSlotActive(PostgresServer primary) {
        Wait.until(Duration.ofSeconds(60), "the agent's slot", () -> primary.queryOne(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'lifeboat_app_db' AND active").equals("1"));
    }
}
