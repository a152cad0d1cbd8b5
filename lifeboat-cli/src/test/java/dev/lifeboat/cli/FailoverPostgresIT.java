package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.testkit.PgBouncerServer;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * failover postgres against a live primary: the dry run changes nothing; a re-point program that cannot run stops the
 * failover before anything changes; the failover fences the old primary, promotes the replica and runs the plan's
 * re-point command with the new primary's address.
 */
class FailoverPostgresIT {
    @TempDir
    Path tmp;

    @Test
    void aLiveOldPrimaryIsFencedAndTheReplicaPromoted() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().replicas(1).start();
             PgBouncerServer bouncer = PgBouncerServer.start(Map.of("app",
                     "host=127.0.0.1 port=" + pg.primary().port() + " dbname=postgres user=postgres"))) {
            PostgresServer primary = pg.primary();
            PostgresServer replica = pg.replica(0);
            assertThat(throughThePooler(bouncer)).as("before: the pooler leads to the primary").isEqualTo(primary.port() + " f");
            primary.execute("CREATE TABLE t (id int)", "INSERT INTO t SELECT generate_series(1, 1000)");
            pg.awaitReplay(replica);
            Path plan = tmp.resolve("lifeboat.yaml");
            Path missing = tmp.resolve("no-such-repoint.sh");
            Path script = Path.of("..", "examples", "re-point", "pgbouncer.sh").toAbsolutePath().normalize();
            String rePoint = "[/usr/bin/env, PSQL=" + primary.bin().resolve("psql") + ", " + script + ", " + bouncer.ini()
                    + ", '" + bouncer.adminConninfo() + "']";
            Files.writeString(plan, String.join("\n",
                    "version: 1",
                    "name: failover-test",
                    "objectives: {rto: 1h, rpo: 5m}",
                    "resources:",
                    "  postgres:",
                    "    app-db:",
                    "      primary: 127.0.0.1:" + primary.port(),
                    "      replicas:",
                    "        replica-1: {endpoint: 127.0.0.1:" + replica.port() + "}",
                    "      user: postgres",
                    "      re-point: {command: [" + missing + "], timeout: 20s}",
                    ""));
            Map<String, String> env = Map.of("LIFEBOAT_CONFIG", plan.toString());

            Cli.Result dry = Cli.run(env, "failover", "postgres", "--cluster", "app-db", "--to-replica", "--dry-run", "--no-re-point");
            assertThat(dry.status()).as(dry.err()).isZero();
            assertThat(dry.out()).contains("dry run", "promote   replica-1", "bytes", "re-point  nothing configured");
            assertThat(replica.isInRecovery()).isTrue();

            Cli.Result broken = Cli.run(env, "failover", "postgres", "--cluster", "app-db", "--to-replica", "replica-1");
            assertThat(broken.status()).as(broken.err()).isEqualTo(99);
            assertThat(broken.err()).contains("nothing changed", "no-such-repoint.sh", "does not exist", "--no-re-point");
            assertThat(replica.isInRecovery()).as("nothing was promoted").isTrue();
            Cli.Result brokenDry = Cli.run(env, "failover", "postgres", "--cluster", "app-db", "--to-replica", "--dry-run");
            assertThat(brokenDry.status()).isEqualTo(99);
            assertThat(brokenDry.out()).contains("CANNOT RUN", "Fix the re-point command");
            Files.writeString(plan, Files.readString(plan).replace("[" + missing + "]", rePoint));
            assertThat(Cli.run(env, "failover", "postgres", "--cluster", "app-db", "--dry-run").out()).contains("re-point  run /usr/bin/env PSQL=");

            Cli.Result unknown = Cli.run(env, "failover", "postgres", "--cluster", "app-db", "--to-replica", "replica-9");
            assertThat(unknown.status()).isEqualTo(2);
            assertThat(unknown.err()).contains("no replica 'replica-9'", "replica-1");

            // A role that may not fence (no superuser, no ALTER SYSTEM): the primary answers and would keep taking writes,
            // so nothing is promoted; the dry run says so beforehand.
            primary.execute("CREATE ROLE weak LOGIN REPLICATION", "GRANT EXECUTE ON FUNCTION pg_promote(boolean, integer) TO weak",
                    // May fence the primary but not promote: it would leave the cluster without any primary.
                    "CREATE ROLE nopromo LOGIN REPLICATION", "GRANT ALTER SYSTEM ON PARAMETER default_transaction_read_only TO nopromo",
                    "GRANT EXECUTE ON FUNCTION pg_reload_conf() TO nopromo", "GRANT pg_signal_backend TO nopromo");
            pg.awaitReplay(replica);
            Path weakPlan = Files.writeString(tmp.resolve("weak.yaml"), Files.readString(plan).replace("user: postgres", "user: weak"));
            Map<String, String> weakEnv = Map.of("LIFEBOAT_CONFIG", weakPlan.toString());
            Cli.Result weakDry = Cli.run(weakEnv, "failover", "postgres", "--cluster", "app-db", "--dry-run", "--no-re-point");
            assertThat(weakDry.out()).contains("CANNOT FENCE", "ALTER SYSTEM", "Fix the role's privileges first");
            assertThat(weakDry.status()).as("a dry run of a failover that would stop does not say go").isEqualTo(95);
            Cli.Result refused = Cli.run(weakEnv, "failover", "postgres", "--cluster", "app-db", "--no-re-point");
            assertThat(refused.status()).as(refused.err()).isEqualTo(95);
            assertThat(refused.err()).contains("nothing promoted", "was not fenced (nothing changed on it)", "--force");
            assertThat(replica.isInRecovery()).as("nothing was promoted").isTrue();
            assertThat(primary.queryOne("SHOW default_transaction_read_only")).isEqualTo("off");
            assertThat(primary.queryOne("SELECT count(*) FROM pg_file_settings WHERE name = 'default_transaction_read_only'"))
                    .as("no read-only left pending for the next reload").isEqualTo("0");
            Path noPromotePlan = Files.writeString(tmp.resolve("nopromo.yaml"), Files.readString(plan).replace("user: postgres", "user: nopromo"));
            Map<String, String> noPromoteEnv = Map.of("LIFEBOAT_CONFIG", noPromotePlan.toString());
            assertThat(Cli.run(noPromoteEnv, "failover", "postgres", "--cluster", "app-db", "--dry-run", "--no-re-point").out())
                    .contains("CANNOT PROMOTE", "pg_promote");
            Cli.Result cannotPromote = Cli.run(noPromoteEnv, "failover", "postgres", "--cluster", "app-db", "--no-re-point");
            assertThat(cannotPromote.status()).as(cannotPromote.err()).isEqualTo(95);
            assertThat(cannotPromote.err()).contains("nothing changed", "may not run pg_promote");
            assertThat(primary.queryOne("SHOW default_transaction_read_only")).as("not fenced: the primary keeps taking writes").isEqualTo("off");
            assertThat(replica.isInRecovery()).isTrue();

            // The real failover runs as the least-privileged role that can fence (PostgreSQL 15: ALTER SYSTEM on the one
            // setting, reloading, ending sessions, promoting), while a superuser session it may not end stays open.
            primary.execute("CREATE ROLE fencer LOGIN REPLICATION",
                    "GRANT ALTER SYSTEM ON PARAMETER default_transaction_read_only TO fencer",
                    "GRANT EXECUTE ON FUNCTION pg_reload_conf() TO fencer", "GRANT pg_signal_backend TO fencer",
                    "GRANT EXECUTE ON FUNCTION pg_promote(boolean, integer) TO fencer",
                    "CREATE ROLE app LOGIN", "CREATE TABLE w (id int PRIMARY KEY)", "GRANT INSERT ON w TO app");
            pg.awaitReplay(replica);
            Path fencerPlan = Files.writeString(tmp.resolve("fencer.yaml"), Files.readString(plan).replace("user: postgres", "user: fencer"));
            env = Map.of("LIFEBOAT_CONFIG", fencerPlan.toString());
            Connection dba = DriverManager.getConnection(primary.jdbcUrl("postgres"), "postgres", "");

            // Writes go on until the fence: every one the primary acknowledged must be on the promoted replica.
            java.util.List<Integer> acked = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            Thread writer = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(primary.jdbcUrl("postgres"), "app", ""); Statement st = c.createStatement()) {
                    for (int i = 1; ; i++) {
                        st.execute("INSERT INTO w VALUES (" + i + ")");
                        acked.add(i);
                    }
                } catch (java.sql.SQLException fencedOrTerminated) {
                    // the fence ends the writes
                }
            });
            writer.start();
            dev.lifeboat.testkit.Wait.until(java.time.Duration.ofSeconds(20), "the writer to commit", () -> acked.size() > 200);
            // The replica falls behind: its WAL receiver is stopped for a while (a slow link), so the failover must wait
            // for it after the fence; promoting at once would drop what the primary committed meanwhile.
            String receiver = replica.queryOne("SELECT pid FROM pg_stat_wal_receiver");
            new ProcessBuilder("kill", "-STOP", receiver).start().waitFor();
            int beforeStop = acked.size();
            dev.lifeboat.testkit.Wait.until(java.time.Duration.ofSeconds(20), "more commits", () -> acked.size() > beforeStop + 100);
            Thread resume = new Thread(() -> {
                try {
                    Thread.sleep(1500);
                    new ProcessBuilder("kill", "-CONT", receiver).start().waitFor();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            resume.start();
            Cli.Result r = Cli.run(env, "failover", "postgres", "--cluster", "app-db", "--json");
            resume.join();
            writer.join(10_000);
            assertThat(r.status()).as(r.err()).isZero();
            JsonNode json = r.json();
            assertThat(json.get("fenced").asBoolean()).isTrue();
            assertThat(json.get("lost_bytes").asLong()).isZero();
            assertThat(replica.isInRecovery()).isFalse();
            assertThat(Long.parseLong(replica.queryOne("SELECT count(*) FROM w WHERE id <= " + acked.get(acked.size() - 1))))
                    .as("every write the old primary acknowledged is on the promoted replica").isEqualTo(acked.size());
            assertThat(r.err()).contains("has received all of the fenced primary's WAL", "superuser session(s) left running (the role may not end them)");
            dba.close();
            replica.execute("INSERT INTO t VALUES (1001)");
            assertThat(primary.queryOne("SELECT count(*) FROM t")).as("fenced, so the old primary holds neither write").isEqualTo("1000");
            assertThat(primary.queryOne("SHOW default_transaction_read_only")).as("the old primary refuses new writes").isEqualTo("on");
            assertThat(r.err()).contains("fenced the old primary", "promoted", "running the re-point command");
            assertThat(json.get("re_point").get("succeeded").asBoolean()).isTrue();
            assertThat(json.get("re_point").get("output").asText()).isEqualTo("pgbouncer: 1 [databases] entries moved from host=127.0.0.1 port="
                    + primary.port() + " to host=127.0.0.1 port=" + replica.port() + "; reloaded, their clients reconnected");
            assertThat(throughThePooler(bouncer)).as("after: the pooler leads to the promoted replica").isEqualTo(replica.port() + " f");
            try (Connection c = DriverManager.getConnection(bouncer.jdbcUrl("app")); Statement st = c.createStatement()) {
                st.execute("INSERT INTO t VALUES (1002)");
            }
            assertThat(replica.queryOne("SELECT count(*) FROM t")).isEqualTo("1002");
        }
    }

    @Test
    void aReplicaOfAnotherClusterIsNeitherPromotedNorIsThePrimaryFenced() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().replicas(1).start(); PostgresHarness other = PostgresHarness.builder().name("oth").replicas(1).start()) {
            PostgresServer primary = pg.primary();
            PostgresServer stranger = other.replica(0);
            // The stranger has received more WAL than the real replica: chosen by that alone, it would be promoted.
            other.primary().execute("CREATE TABLE filler AS SELECT generate_series(1, 200000) AS n");
            other.awaitReplay(stranger);
            Path plan = Files.writeString(tmp.resolve("mixed.yaml"), String.join("\n",
                    "version: 1",
                    "name: failover-test",
                    "objectives: {rto: 1h, rpo: 5m}",
                    "resources:",
                    "  postgres:",
                    "    app-db:",
                    "      primary: 127.0.0.1:" + primary.port(),
                    "      replicas:",
                    "        stranger: {endpoint: 127.0.0.1:" + stranger.port() + "}",
                    "        replica-1: {endpoint: 127.0.0.1:" + pg.replica(0).port() + "}",
                    "      user: postgres",
                    ""));
            Map<String, String> env = Map.of("LIFEBOAT_CONFIG", plan.toString());
            Cli.Result chosen = Cli.run(env, "failover", "postgres", "--cluster", "app-db", "--dry-run", "--json");
            assertThat(chosen.status()).as(chosen.err()).isZero();
            assertThat(chosen.json().get("replica").asText()).as("the stranger is no candidate").isEqualTo("replica-1");
            assertThat(chosen.err()).contains("stranger not usable", "is not a replica of");
            Cli.Result dry = Cli.run(env, "failover", "postgres", "--cluster", "app-db", "--to-replica", "stranger", "--dry-run");
            assertThat(dry.status()).as(dry.err()).isEqualTo(95);
            assertThat(dry.err()).contains("stranger is not a replica of", "system identifier", "another cluster");
            Cli.Result r = Cli.run(env, "failover", "postgres", "--cluster", "app-db", "--to-replica", "stranger", "--force");
            assertThat(r.status()).as(r.err()).isEqualTo(95);
            assertThat(r.err()).contains("nothing changed", "is not a replica of");
            assertThat(stranger.isInRecovery()).as("the stranger was not promoted").isTrue();
            assertThat(primary.queryOne("SHOW default_transaction_read_only")).as("the primary was not fenced").isEqualTo("off");
        }
    }

    /** The port of the server a new pooled connection reaches, and whether it is in recovery ("5433 f"). */
    private static String throughThePooler(PgBouncerServer bouncer) throws Exception {
        try (Connection c = DriverManager.getConnection(bouncer.jdbcUrl("app")); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('port') || ' ' || pg_is_in_recovery()")) {
            rs.next();
            return rs.getString(1).replace("false", "f").replace("true", "t");
        }
    }
}
