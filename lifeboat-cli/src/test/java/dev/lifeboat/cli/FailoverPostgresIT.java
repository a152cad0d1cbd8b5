package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** failover postgres against a live primary: the dry run changes nothing; the failover fences it and promotes the replica. */
class FailoverPostgresIT {
    @TempDir
    Path tmp;

    @Test
    void aLiveOldPrimaryIsFencedAndTheReplicaPromoted() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().replicas(1).start()) {
            PostgresServer primary = pg.primary();
            PostgresServer replica = pg.replica(0);
            primary.execute("CREATE TABLE t (id int)", "INSERT INTO t SELECT generate_series(1, 1000)");
            pg.awaitReplay(replica);
            Path plan = tmp.resolve("lifeboat.yaml");
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
                    ""));
            Map<String, String> env = Map.of("LIFEBOAT_CONFIG", plan.toString());

            Cli.Result dry = Cli.run(env, "failover", "postgres", "--cluster", "app-db", "--to-replica", "--dry-run");
            assertThat(dry.status()).as(dry.err()).isZero();
            assertThat(dry.out()).contains("dry run", "promote   replica-1", "bytes");
            assertThat(replica.isInRecovery()).isTrue();

            Cli.Result unknown = Cli.run(env, "failover", "postgres", "--cluster", "app-db", "--to-replica", "replica-9");
            assertThat(unknown.status()).isEqualTo(2);
            assertThat(unknown.err()).contains("no replica 'replica-9'", "replica-1");

            Cli.Result r = Cli.run(env, "failover", "postgres", "--cluster", "app-db", "--to-replica", "replica-1", "--json");
            assertThat(r.status()).as(r.err()).isZero();
            JsonNode json = r.json();
            assertThat(json.get("fenced").asBoolean()).isTrue();
            assertThat(json.get("expected_data_loss_bytes").asLong()).isZero();
            assertThat(replica.isInRecovery()).isFalse();
            replica.execute("INSERT INTO t VALUES (1001)");
            assertThat(primary.queryOne("SHOW default_transaction_read_only")).as("the old primary refuses new writes").isEqualTo("on");
            assertThat(r.err()).contains("fenced the old primary", "promoted");
        }
    }
}
