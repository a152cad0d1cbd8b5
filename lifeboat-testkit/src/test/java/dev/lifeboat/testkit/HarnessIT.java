package dev.lifeboat.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

class HarnessIT {
    @Test
    void primaryAndReplicaOfEachServerReplicateAndLeaveNothingBehind() {
        List<Long> pids = new ArrayList<>();
        try (PostgresHarness pg = PostgresHarness.builder().replicas(1).start();
             RedisHarness redis = RedisHarness.builder().replicas(1).start()) {
            PostgresServer primary = pg.primary();
            PostgresServer replica = pg.replica(0);
            pids.add(primary.pid());
            pids.add(replica.pid());
            pids.add(redis.primary().pid());
            pids.add(redis.replica(0).pid());

            assertThat(primary.queryOne("SHOW data_checksums")).isEqualTo("on");
            assertThat(primary.isInRecovery()).isFalse();
            assertThat(replica.isInRecovery()).isTrue();
            assertThat(primary.queryOne("SELECT active FROM pg_replication_slots WHERE slot_name = 'replica_1'")).isEqualTo("t");
            assertThat(primary.port()).isNotEqualTo(replica.port());

            primary.execute("CREATE TABLE progress (id int PRIMARY KEY, learner text)",
                    "INSERT INTO progress SELECT g, 'learner-' || g FROM generate_series(1, 500) g");
            pg.awaitReplay(replica);
            assertThat(replica.queryOne("SELECT count(*) FROM progress")).isEqualTo("500");
            assertThat(replica.queryOne("SELECT learner FROM progress WHERE id = 321")).isEqualTo("learner-321");

            try (Jedis j = redis.primary().client()) {
                j.set("session:42", "alice");
                j.hset("profile:42", "name", "Alice");
            }
            redis.awaitReplication();
            try (Jedis j = redis.replica(0).client()) {
                assertThat(j.get("session:42")).isEqualTo("alice");
                assertThat(j.hget("profile:42", "name")).isEqualTo("Alice");
                assertThat(j.info("replication")).contains("role:slave");
            }
        }
        for (long pid : pids) {
            assertThat(pid).isPositive();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("server pid %d is gone after close", pid).isFalse();
        }
    }

    @Test
    void crashedPrimaryIsDeadAndRestartsOnItsData() {
        try (PostgresHarness pg = PostgresHarness.builder().start()) {
            PostgresServer primary = pg.primary();
            primary.execute("CREATE TABLE ledger (id int)", "INSERT INTO ledger VALUES (1), (2)");
            long pid = primary.pid();
            primary.crash();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(primary.isRunning()).isFalse();
            primary.start();
            assertThat(primary.queryOne("SELECT count(*) FROM ledger")).isEqualTo("2");
        }
    }
}
