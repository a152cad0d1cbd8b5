package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.RedisDataset;
import dev.lifeboat.testkit.RedisHarness;
import dev.lifeboat.testkit.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The Redis commands as a user runs them from a plan: backup from the replica, cache recovery (dry run, then into
 * a new instance), health, a Sentinel failover, and cache warming from a snapshot and from a PostgreSQL table.
 */
class RedisCommandsIT {
    @TempDir
    Path tmp;

    @Test
    void backupRecoverFailoverAndWarmFromThePlan() throws Exception {
        try (RedisHarness redis = RedisHarness.builder().name("redis-cli").replicas(1).sentinels(3).start();
             PostgresHarness pg = PostgresHarness.builder().start()) {
            try (Jedis p = redis.primary().client()) {
                RedisDataset.populate(p, 5_000);
            }
            redis.awaitReplication();
            pg.primary().execute("CREATE TABLE courses (id int PRIMARY KEY, title text, level text)",
                    "INSERT INTO courses SELECT g, 'Course ' || g, CASE WHEN g % 2 = 0 THEN 'beginner' ELSE 'advanced' END FROM generate_series(1, 300) g");
            Path plan = tmp.resolve("lifeboat.yaml");
            Files.writeString(plan, String.join("\n",
                    "version: 1",
                    "name: redis-cli-test",
                    "objectives: {rto: 1h, rpo: 15m}",
                    "resources:",
                    "  postgres:",
                    "    app-db:",
                    "      primary: 127.0.0.1:" + pg.primary().port(),
                    "      user: postgres",
                    "      database: postgres",
                    "  redis:",
                    "    cache:",
                    "      primary: 127.0.0.1:" + redis.primary().port(),
                    "      replicas: [127.0.0.1:" + redis.replica(0).port() + "]",
                    "      sentinel:",
                    "        master-name: " + RedisHarness.MASTER_NAME,
                    "        nodes: [" + redis.sentinels().stream().map(s -> "127.0.0.1:" + s.port()).collect(Collectors.joining(", ")) + "]",
                    "      warm:",
                    "        sessions: {priority: critical, from: snapshot, keys: [\"session:*\"]}",
                    "        catalog:",
                    "          priority: high",
                    "          from: postgres",
                    "          postgres: app-db",
                    "          query: \"SELECT 'course:' || id, title, level FROM courses\"",
                    "          as: hash",
                    "          ttl: 1h",
                    "repository:",
                    "  regions:",
                    "    local: {store: filesystem, path: " + tmp.resolve("repo") + "}",
                    "  encryption: {passphrase: {env: LIFEBOAT_PASSPHRASE}}",
                    ""));
            Map<String, String> env = Map.of("LIFEBOAT_PASSPHRASE", "redis cli test", "LIFEBOAT_CONFIG", plan.toString());
            assertThat(Cli.run(env, "repo", "init").status()).isZero();

            Cli.Result backup = Cli.run(env, "backup", "redis", "--instance", "cache", "--json");
            assertThat(backup.status()).as(backup.err()).isZero();
            assertThat(backup.err()).contains("backing up from replica 127.0.0.1:" + redis.replica(0).port());
            JsonNode labels = backup.json().get("labels");
            assertThat(labels.get("source_role").asText()).isEqualTo("slave");
            assertThat(labels.get("checksum").asText()).isEqualTo("verified");

            Cli.Result verify = Cli.run(env, "verify", "--quick", "--only", "redis");
            assertThat(verify.status()).as(verify.out() + verify.err()).isZero();
            assertThat(verify.out()).contains("redis cache: 1 snapshot(s)");

            RedisServer fresh = redis.newEmptyServer("fresh");
            String to = "127.0.0.1:" + fresh.port();
            Cli.Result dry = Cli.run(env, "recover", "--mode", "cache", "--instance", "cache", "--to", to, "--dry-run");
            assertThat(dry.status()).as(dry.err()).isZero();
            assertThat(dry.out()).contains("dry run", "RDB v10", "empty", "estimate");
            try (Jedis j = fresh.client()) {
                assertThat(j.dbSize()).as("a dry run writes nothing").isZero();
            }
            Cli.Result recover = Cli.run(env, "recover", "--mode", "cache", "--instance", "cache", "--to", to, "--confirm", "--json");
            assertThat(recover.status()).as(recover.err()).isZero();
            assertThat(recover.json().get("report").get("mismatched").asLong()).isZero();
            try (Jedis expected = redis.primary().client(); Jedis actual = fresh.client()) {
                assertThat(RedisDataset.differences(expected, actual, 1000)).isEmpty();
            }
            Cli.Result again = Cli.run(env, "recover", "--mode", "cache", "--instance", "cache", "--to", to, "--confirm");
            assertThat(again.status()).as("never over existing data").isEqualTo(93);
            assertThat(again.err()).contains("already holds");

            Path placed = tmp.resolve("placed");
            int placedPort = dev.lifeboat.testkit.FreePort.pick();
            // With the instance's password known (here from REDISCLI_AUTH), the recovered server asks for it too.
            Map<String, String> withPassword = new java.util.HashMap<>(env);
            withPassword.put("REDISCLI_AUTH", "recovered \"cache\" secret");
            Cli.Result intoDir = Cli.run(withPassword, "recover", "--mode", "cache", "--instance", "cache", "--data-dir", placed.toString(),
                    "--port", Integer.toString(placedPort), "--confirm", "--json");
            long placedPid = intoDir.status() == 0 ? intoDir.json().get("pid").asLong() : -1;
            try {
                assertThat(intoDir.status()).as(intoDir.out() + intoDir.err()).isZero();
                assertThat(intoDir.json().get("report").get("mismatched").asLong()).isZero();
                try (Jedis anonymous = new Jedis("127.0.0.1", placedPort)) {
                    assertThatThrownBy(anonymous::dbSize).hasMessageContaining("NOAUTH");
                }
                assertThat(ProcessHandle.of(placedPid).flatMap(h -> h.info().commandLine()).orElse("")).doesNotContain("secret");
                try (Jedis expected = redis.primary().client(); Jedis actual = new Jedis("127.0.0.1", placedPort)) {
                    actual.auth("recovered \"cache\" secret");
                    assertThat(RedisDataset.differences(expected, actual, 1000)).isEmpty();
                }
            } finally {
                // The server runs daemonized: stop it by the PID the command reported, or by its pid file if it failed.
                long pid = placedPid > 0 ? placedPid : Files.exists(placed.resolve("redis.pid"))
                        ? Long.parseLong(Files.readString(placed.resolve("redis.pid")).trim()) : -1;
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }

            Cli.Result health = Cli.run(env, "health", "--instance", "cache");
            assertThat(health.status()).as(health.out() + health.err()).isZero();
            assertThat(health.out()).contains("master    127.0.0.1:" + redis.primary().port(), "Healthy.");

            Cli.Result failover = Cli.run(env, "failover", "redis", "--instance", "cache", "--json");
            assertThat(failover.status()).as(failover.err()).isZero();
            assertThat(failover.json().get("new_master").asText()).isEqualTo("127.0.0.1:" + redis.replica(0).port());
            assertThat(failover.json().get("writes_resumed_seconds").asDouble()).isPositive();

            Cli.Result warmDry = Cli.run(env, "cache", "warm", "--instance", "cache", "--priority", "critical", "--to", to, "--dry-run", "--json");
            assertThat(warmDry.status()).as(warmDry.err()).isZero();
            assertThat(warmDry.json().get("sets")).hasSize(1);
            long sessions = warmDry.json().get("keys").asLong();
            assertThat(sessions).isEqualTo(500);

            RedisServer cold = redis.newEmptyServer("cold");
            String coldAt = "127.0.0.1:" + cold.port();
            Cli.Result warm = Cli.run(env, "cache", "warm", "--instance", "cache", "--priority", "high", "--to", coldAt);
            assertThat(warm.status()).as(warm.err()).isZero();
            assertThat(warm.out()).contains("critical", "sessions", "high", "catalog", "Loaded 800 keys");
            try (Jedis j = cold.client()) {
                assertThat(j.keys("session:*")).hasSize(500);
                assertThat(j.hgetAll("course:7")).containsEntry("title", "Course 7").containsEntry("level", "advanced");
                assertThat(j.pttl("course:7")).isBetween(3_500_000L, 3_600_000L);
                assertThat(j.dbSize()).isEqualTo(800);
            }
        }
    }
}
