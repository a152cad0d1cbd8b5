package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.postgres.recovery.PostgresControl;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent killed with SIGKILL in the middle of a WAL segment, while the primary keeps committing, then started
 * again: the slot only ever advanced to WAL durable in the repository, so streaming resumes without a gap and a
 * recovery to the latest point has every committed row.
 */
class AgentCrashIT {
    @TempDir
    Path tmp;

    @Test
    void anAgentKilledMidSegmentResumesWithoutAGap() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("crash").start()) {
            PostgresServer primary = pg.primary();
            primary.execute("CREATE TABLE events (id bigserial PRIMARY KEY, payload text)");
            Map<String, String> env = AgentFixture.planWithWal(tmp, primary, "agent-crash");
            Process agent = AgentFixture.startAgent(env, tmp.resolve("agent-1.log"), "--flush-every", "200ms", "--status-every", "1h");
            AgentFixture.awaitSlotActive(primary);
            assertThat(Cli.run(env, "backup", "postgres", "--cluster", "app-db").status()).isZero();
            insert(primary, 40);
            agent.destroyForcibly();   // SIGKILL, mid-segment: the segment being filled is only partly stored
            assertThat(agent.waitFor(10, TimeUnit.SECONDS)).isTrue();
            insert(primary, 40);       // committed while no agent runs: the slot keeps this WAL
            Process again = AgentFixture.startAgent(env, tmp.resolve("agent-2.log"), "--flush-every", "200ms", "--status-every", "1h");
            try {
                insert(primary, 40);
                primary.queryOne("SELECT pg_switch_wal()");
                insert(primary, 5);
                primary.queryOne("SELECT pg_switch_wal()");
                // A second base backup, a few segments later: prune may then drop the WAL only the first one needed.
                assertThat(Cli.run(env, "backup", "postgres", "--cluster", "app-db").status()).isZero();
                insert(primary, 5);
                AgentFixture.awaitWalStored(primary);
            } finally {
                again.destroy();       // SIGTERM: a clean stop
                again.waitFor(20, TimeUnit.SECONDS);
            }
            // The shutdown hook waits for the clean stop (last WAL stored, threads joined) instead of letting the JVM halt.
            assertThat(Files.readString(tmp.resolve("agent-2.log"))).contains("streaming WAL for app-db", "agent stopped");

            Cli.Result quick = Cli.run(env, "verify", "--quick", "--only", "postgres");
            assertThat(quick.status()).as(quick.out() + quick.err()).isZero();

            // restore_command: the first segment of the oldest backup, with the following ones prefetched.
            String start = Cli.run(env, "backups", "list", "--json").json().get(0).get("start_lsn").asText();
            dev.lifeboat.postgres.wal.WalSegment first = dev.lifeboat.postgres.wal.WalSegment.of(1, dev.lifeboat.postgres.wal.Lsn.parse(start),
                    dev.lifeboat.postgres.wal.WalSegment.DEFAULT_SIZE);
            // PostgreSQL runs restore_command in the data directory of the cluster being recovered, whose pg_control
            // names the system: prefetched segments wait in a directory of that system's.
            Path recovering = Files.createDirectories(tmp.resolve("recovering").resolve("global")).getParent();
            Files.copy(primary.dataDirectory().resolve("global/pg_control"), recovering.resolve("global/pg_control"));
            Path cacheBase = tmp.resolve("prefetch");
            Path cache = cacheBase.resolve("lifeboat-wal-" + System.getProperty("user.name"))
                    .resolve("app-db-" + primary.queryOne("SELECT system_identifier FROM pg_control_system()"));
            Path dest = Files.createDirectories(recovering.resolve("pg_wal")).resolve("RECOVERYXLOG");
            Cli.Result fetched = Cli.run(env, "wal", "fetch", "--cluster", "app-db", "--cache", cacheBase.toString(), "--prefetch", "2",
                    first.fileName(), dest.toString());
            assertThat(fetched.status()).as(fetched.err()).isZero();
            assertThat(Files.size(dest)).isEqualTo(dev.lifeboat.postgres.wal.WalSegment.DEFAULT_SIZE);
            assertThat(cache.resolve(first.next().fileName())).as("the next segment is prefetched").exists();
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rwx------");
            assertThat(Cli.run(env, "wal", "fetch", "--cluster", "app-db", "--cache", cacheBase.toString(), first.next().fileName(), dest.toString())
                    .status()).isZero();
            assertThat(cache.resolve(first.next().fileName())).as("served from the prefetch directory").doesNotExist();
            // A prefetched copy cut short (a crash while it was written) is never served: it is read again.
            Files.write(cache.resolve(first.next().next().fileName()), new byte[] {1, 2, 3});
            assertThat(Cli.run(env, "wal", "fetch", "--cluster", "app-db", "--cache", cacheBase.toString(), "--prefetch", "0",
                    first.next().next().fileName(), dest.toString()).status()).isZero();
            assertThat(Files.size(dest)).isEqualTo(dev.lifeboat.postgres.wal.WalSegment.DEFAULT_SIZE);
            // Segments a recovery of another system left (same cluster name) are never served to this one.
            Path foreign = Files.createDirectories(cache.resolveSibling("app-db-1234")).resolve(first.next().next().fileName());
            Files.write(foreign, new byte[] {1});
            assertThat(Cli.run(env, "wal", "fetch", "--cluster", "app-db", "--cache", cacheBase.toString(), "--prefetch", "0",
                    first.next().next().fileName(), dest.toString()).status()).isZero();
            assertThat(Files.size(dest)).as("read from the repository, not another system's leftovers")
                    .isEqualTo(dev.lifeboat.postgres.wal.WalSegment.DEFAULT_SIZE);
            assertThat(Cli.run(env, "wal", "fetch", "--cluster", "app-db", "--cache", cacheBase.toString(), "00000002.history", dest.toString()).status())
                    .as("a history file the repository lacks").isEqualTo(1);
            assertThat(Cli.run(env, "wal", "fetch", "--cluster", "app-db", "--cache", cacheBase.toString(), "0000000100000FFF000000FF", dest.toString())
                    .status()).as("a segment the repository lacks").isEqualTo(1);
            // A damaged object is not a missing one: exit 1 would make PostgreSQL end recovery there and promote
            // without the rest. Archive recovery must stop (exit 126); a standby retries (exit 1).
            Path stored;
            try (var files = Files.walk(tmp)) {
                stored = files.filter(p -> p.getFileName().toString().equals(first.next().fileName()) && !p.startsWith(cacheBase)
                        && !p.startsWith(recovering)).findFirst().orElseThrow();
            }
            byte[] original = Files.readAllBytes(stored);
            byte[] damaged = original.clone();
            damaged[damaged.length / 2] ^= 1;
            Files.write(stored, damaged);
            Path pgData = recovering.resolve("pg_wal");
            Files.deleteIfExists(dest);
            Cli.Result refused = Cli.run(env, "wal", "fetch", "--cluster", "app-db", "--cache", cacheBase.toString(), "--prefetch", "0",
                    first.next().fileName(), pgData.resolve("RECOVERYXLOG").toString());
            assertThat(refused.status()).as("archive recovery stops on a damaged segment").isEqualTo(126);
            assertThat(pgData.resolve("RECOVERYXLOG")).doesNotExist();
            Files.writeString(pgData.getParent().resolve("standby.signal"), "");
            assertThat(Cli.run(env, "wal", "fetch", "--cluster", "app-db", "--cache", cacheBase.toString(), "--prefetch", "0",
                    first.next().fileName(), pgData.resolve("RECOVERYXLOG").toString()).status()).as("a standby asks again later").isEqualTo(1);
            Files.write(stored, original);

            Cli.Result dry = Cli.run(env, "repo", "prune", "--keep-last", "1", "--dry-run");
            assertThat(dry.status()).as(dry.err()).isZero();
            assertThat(dry.out()).contains("forget", "would delete").containsPattern("would delete [1-9][0-9]* WAL object\\(s\\) of app-db");
            Cli.Result pruned = Cli.run(env, "repo", "prune", "--keep-last", "1");
            assertThat(pruned.status()).as(pruned.err()).isZero();
            assertThat(pruned.out()).containsPattern("deleted [1-9][0-9]* WAL object\\(s\\) of app-db");
            Cli.Result after = Cli.run(env, "verify", "--quick", "--only", "postgres");
            assertThat(after.status()).as("the kept backup still replays to the end: " + after.out()).isZero();
            assertThat(after.out()).contains("app-db: 1 backup(s)");
            assertThat(AgentFixture.recoverLatestAndQuery(env, pg, "SELECT count(*) FROM events"))
                    .as("every committed row").isEqualTo(primary.queryOne("SELECT count(*) FROM events"));
        }
    }

    private static void insert(PostgresServer primary, int batches) throws InterruptedException {
        for (int i = 0; i < batches; i++) {
            primary.execute("INSERT INTO events (payload) SELECT repeat('p', 500) FROM generate_series(1, 200)");
            Thread.sleep(20);
        }
    }
}
