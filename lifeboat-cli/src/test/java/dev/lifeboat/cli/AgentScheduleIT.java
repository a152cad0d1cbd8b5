package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.testkit.RedisHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The agent runs the plan's cron schedules for real at the next minute: a Redis snapshot, then the data class's keep
 * policy (the two older snapshots forgotten, the new one kept), then a quick verification.
 */
class AgentScheduleIT {
    @TempDir
    Path tmp;

    @Test
    void theAgentSnapshotsRedisWhenItsScheduleFires() throws Exception {
        try (RedisHarness redis = RedisHarness.builder().name("agent-cron").replicas(1).start()) {
            try (Jedis j = redis.primary().client()) {
                j.set("session:1", "alice");
            }
            redis.awaitReplication();
            Path helm = Files.createDirectories(tmp.resolve("helm"));
            Files.writeString(helm.resolve("values.yaml"), "replicas: 3\n");
            Path plan = tmp.resolve("lifeboat.yaml");
            Files.writeString(plan, String.join("\n",
                    "version: 1",
                    "name: agent-cron",
                    "objectives: {rto: 1h, rpo: 15m}",
                    "data-classes:",
                    "  sessions: {criticality: high, backup-frequency: 3s, retention: 3s, keep: {last: 1}, stored-in: [{resource: cache}]}",
                    "resources:",
                    "  redis:",
                    "    cache: {primary: 127.0.0.1:" + redis.primary().port() + ", replicas: [127.0.0.1:" + redis.replica(0).port() + "]}",
                    "  config-sources:",
                    "    helm-values: {type: directory, path: " + helm + "}",
                    "  buckets:",
                    "    content-files: {provider: s3, bucket: content, region: us-east-1}",
                    "repository:",
                    "  regions:",
                    "    local: {store: filesystem, path: " + tmp.resolve("repo") + "}",
                    "  encryption: {passphrase: {env: LIFEBOAT_PASSPHRASE}}",
                    "schedules:",
                    "  redis-rdb: {job: backup, resources: [cache], cron: \"* * * * *\"}",
                    "  config-backup: {job: backup, resources: [helm-values], cron: \"* * * * *\"}",
                    "  content-mirror: {job: mirror, resources: [content-files], max-lag: 5m}",
                    "  nightly-prune: {job: prune, cron: \"* * * * *\"}",
                    "  validation: {job: verify, cron: \"* * * * *\", options: {level: quick}}",
                    ""));
            Map<String, String> env = Map.of("LIFEBOAT_PASSPHRASE", "agent cron test", "LIFEBOAT_CONFIG", plan.toString());
            assertThat(Cli.run(env, "repo", "init").status()).isZero();
            // Not across a minute's boundary: a backup just before the agent starts a minute later would make its
            // start run the missed firing at once (a third snapshot), which CronSchedulerTest covers.
            Instant before = Instant.now();
            if (before.atZone(java.time.ZoneOffset.UTC).getSecond() > 40) {
                Thread.sleep(ChronoUnit.MILLIS.between(before, before.truncatedTo(ChronoUnit.MINUTES).plusSeconds(61)));
            }
            for (int i = 0; i < 2; i++) { // older snapshots for the keep policy to forget
                Cli.Result b = Cli.run(env, "backup", "redis", "--instance", "cache");
                assertThat(b.status()).as(b.err()).isZero();
            }
            Instant now = Instant.now();
            long untilAfterNextMinute = ChronoUnit.SECONDS.between(now, now.truncatedTo(ChronoUnit.MINUTES).plusSeconds(60)) + 6;

            Cli.Result agent = Cli.run(env, "agent", "--stop-after", untilAfterNextMinute + "s", "--status-every", "1h");
            assertThat(agent.status()).as(agent.err()).isZero();
            assertThat(agent.err()).contains("backing up from replica 127.0.0.1:" + redis.replica(0).port(), "redis-rdb: cache snapshot",
                    "nightly-prune: applied the plan's keep policies: forgot 1 snapshot(s)", "kept 3 snapshot(s)",
                    // The backup and the verification run side by side; the prune waits for both, then runs alone.
                    "nightly-prune: due at", "a prune runs alone, so it waits until redis-rdb",
                    "validation: verify quick: everything verifies (repository: ",
                    "config-backup: helm-values snapshot",
                    // What the plan asks for but this build cannot give is said at the start, not left silent.
                    "PROBLEM schedule 'content-mirror' names content-files, which this agent does not protect: this build of Lifeboat "
                            + "cannot mirror buckets yet");

            Cli.Result list = Cli.run(env, "snapshots", "list", "--json");
            assertThat(list.json()).filteredOn(s -> s.get("kind").asText().equals("directory")).singleElement()
                    .satisfies(s -> assertThat(s.get("name").asText()).isEqualTo("helm-values"));
            // The class's keep policy (last 1) falls short of its 3 s retention, so prune also keeps everything within
            // it, and the newest snapshot before it (where a recovery to the window's start begins): of the three
            // snapshots of the cache, the oldest manual one goes.
            assertThat(list.json()).filteredOn(s -> !s.get("kind").asText().equals("directory")).hasSize(2).allSatisfy(s -> {
                assertThat(s.get("kind").asText()).isEqualTo("redis");
                assertThat(s.get("name").asText()).isEqualTo("cache");
            });
        }
    }
}
