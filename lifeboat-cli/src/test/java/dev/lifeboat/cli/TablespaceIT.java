package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.testkit.FreePort;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster with a tablespace outside its data directory and its WAL on another disk (pg_wal a link): the base
 * backup holds the tablespace's contents (not just the link), recovery puts them beside the new data directory or
 * where --tablespace-map says, and gives the recovered server a pg_wal of its own: never the locations the running
 * cluster still uses.
 */
class TablespaceIT {
    @TempDir
    Path tmp;

    @Test
    void tablespacesAndALinkedPgWalNeverPointARecoveryAtTheLiveCluster() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("tbs").start()) {
            PostgresServer primary = pg.primary();
            // WAL on its own disk, as initdb --waldir makes it: pg_wal is a link.
            primary.stop();
            Path walDisk = pg.newServerHome("wal").resolve("pg_wal");
            Files.move(primary.dataDirectory().resolve("pg_wal"), walDisk);
            Files.createSymbolicLink(primary.dataDirectory().resolve("pg_wal"), walDisk);
            primary.start();
            Path location = pg.newServerHome("ts1");
            primary.execute("CREATE TABLESPACE ts1 LOCATION '" + location + "'",
                    "CREATE TABLE progress (id int PRIMARY KEY USING INDEX TABLESPACE ts1, body text) TABLESPACE ts1",
                    "INSERT INTO progress SELECT g, md5(g::text) FROM generate_series(1, 5000) g");
            String oid = primary.queryOne("SELECT oid FROM pg_tablespace WHERE spcname = 'ts1'");
            // And an in-place one (PostgreSQL 15: a directory in pg_tblspc), which stays in place.
            primary.execute("SET allow_in_place_tablespaces = on", "CREATE TABLESPACE inplace LOCATION ''",
                    "CREATE TABLE notes TABLESPACE inplace AS SELECT g AS id FROM generate_series(1, 100) g");
            String inPlaceOid = primary.queryOne("SELECT oid FROM pg_tablespace WHERE spcname = 'inplace'");
            // Configuration the backup carries but a copy must not act on (written, not loaded, by the original).
            primary.execute("ALTER SYSTEM SET archive_mode = 'on'", "ALTER SYSTEM SET archive_command = '/bin/false'",
                    "ALTER SYSTEM SET synchronous_standby_names = 'lifeboat_nobody'");
            Map<String, String> env = AgentFixture.planWithWal(tmp, primary, "tbs");
            Process agent = AgentFixture.startAgent(env, tmp.resolve("agent.log"), "--status-every", "1h");
            try {
                AgentFixture.awaitSlotActive(primary);
                Cli.Result backup = Cli.run(env, "backup", "postgres", "--cluster", "app-db", "--json");
                assertThat(backup.status()).as(backup.err()).isZero();
                assertThat(backup.json().get("labels").get("tablespace." + oid + ".location").asText()).isEqualTo(location.toString());
                primary.execute("INSERT INTO progress SELECT g, md5(g::text) FROM generate_series(5001, 8000) g");
                AgentFixture.awaitWalStored(primary);
            } finally {
                agent.destroy();
                agent.waitFor(30, TimeUnit.SECONDS);
            }

            // By default the tablespace goes beside the new data directory, linked from pg_tblspc/OID.
            Path home = pg.newServerHome("r1");
            Path data = home.resolve("data");
            Cli.Result dry = Cli.run(env, "recover", "--mode", "database-only", "--cluster", "app-db", "--to", data.toString(), "--dry-run");
            assertThat(dry.status()).as(dry.err()).isZero();
            Path beside = home.resolve("data.tablespaces").resolve(oid);
            assertThat(dry.out()).contains("tablespace ts1 (" + oid + ", was " + location + ") -> " + beside + " (linked from pg_tblspc/" + oid,
                    "--tablespace-map ts1=DIR", "archive_mode off");
            int port = FreePort.pick();
            Cli.Result inPlace = Cli.run(env, "recover", "--mode", "database-only", "--cluster", "app-db", "--to", data.toString(),
                    "--port", Integer.toString(port), "--confirm");
            assertThat(inPlace.status()).as(inPlace.err()).isZero();
            PostgresServer r1 = pg.adopt(home, "r1", port);
            assertThat(r1.queryOne("SELECT count(*) FROM progress")).isEqualTo("8000");
            assertThat(r1.queryOne("SELECT count(*) FROM progress WHERE body = md5(id::text)")).isEqualTo("8000");
            assertThat(Files.readSymbolicLink(data.resolve("pg_tblspc").resolve(oid))).isEqualTo(beside);
            assertThat(r1.queryOne("SELECT pg_tablespace_location(" + oid + ")")).isEqualTo(beside.toString());
            assertThat(data.resolve("tablespace_map")).doesNotExist();
            assertThat(Files.isSymbolicLink(data.resolve("pg_wal"))).as("a directory of its own, not the original's WAL disk").isFalse();
            assertThat(r1.queryOne("SELECT count(*) FROM notes")).isEqualTo("100");
            assertThat(Files.isSymbolicLink(data.resolve("pg_tblspc").resolve(inPlaceOid))).as("in place").isFalse();
            assertThat(data.resolve("pg_tblspc").resolve(inPlaceOid)).isDirectory();
            assertThat(r1.queryOne("SHOW allow_in_place_tablespaces")).isEqualTo("on");
            assertThat(r1.queryOne("SHOW archive_mode")).isEqualTo("off");
            assertThat(r1.queryOne("SHOW max_logical_replication_workers")).isEqualTo("0");
            assertThat(r1.queryOne("SHOW log_directory")).isEqualTo("log");
            assertThat(r1.queryOne("SHOW external_pid_file")).isEmpty();
            assertThat(r1.queryOne("SHOW synchronous_standby_names")).isEmpty();
            r1.execute("SET statement_timeout = '20s'", "CREATE TABLE after_recovery AS SELECT 1", "SELECT pg_switch_wal()");
            try (var wal = Files.list(walDisk)) {
                assertThat(wal.map(p -> p.getFileName().toString())).as("the recovered server wrote nothing to the original's WAL")
                        .noneMatch(n -> n.startsWith("00000002"));
            }
            r1.stop();

            // Mapped: the contents go to the given directory, linked from pg_tblspc.
            Path home2 = pg.newServerHome("r2");
            Path mapped = home2.resolve("ts1");
            int port2 = FreePort.pick();
            Cli.Result elsewhere = Cli.run(env, "recover", "--mode", "database-only", "--cluster", "app-db", "--to", home2.resolve("data").toString(),
                    "--tablespace-map", "ts1=" + mapped, "--keep-archiving", "--port", Integer.toString(port2), "--confirm");
            assertThat(elsewhere.status()).as(elsewhere.err()).isZero();
            PostgresServer r2 = pg.adopt(home2, "r2", port2);
            assertThat(r2.queryOne("SELECT count(*) FROM progress")).isEqualTo("8000");
            Path link = home2.resolve("data/pg_tblspc").resolve(oid);
            assertThat(Files.isSymbolicLink(link)).isTrue();
            assertThat(Files.readSymbolicLink(link)).isEqualTo(mapped);
            assertThat(r2.queryOne("SELECT pg_tablespace_location(" + oid + ")")).isEqualTo(mapped.toString());
            assertThat(r2.queryOne("SHOW archive_mode")).as("--keep-archiving").isEqualTo("on");
            r2.stop();

            // The original keeps running on its own tablespace and WAL disk, untouched.
            assertThat(primary.queryOne("SELECT count(*) FROM progress")).isEqualTo("8000");
            primary.execute("INSERT INTO progress VALUES (8001, 'still writable')");

            // Refusals, before anything is written.
            Cli.Result busy = Cli.run(env, "recover", "--mode", "database-only", "--cluster", "app-db", "--to", tmp.resolve("r3").toString(),
                    "--tablespace-map", "ts1=" + location, "--dry-run");
            assertThat(busy.status()).as(busy.err()).isEqualTo(93);
            assertThat(busy.err()).contains("tablespace directory " + location + " is not empty");
            Cli.Result unknown = Cli.run(env, "recover", "--mode", "database-only", "--cluster", "app-db", "--to", tmp.resolve("r3").toString(),
                    "--tablespace-map", "ts9=/tmp/x", "--dry-run");
            assertThat(unknown.status()).isEqualTo(2);
            assertThat(unknown.err()).contains("no tablespace 'ts9'", "Its tablespaces: ts1 (" + oid);

            // A delta restore into the stopped first copy: its tablespace, beside it, is compared and patched in place.
            String versionDir;
            try (var v = Files.list(beside)) {
                versionDir = v.findFirst().orElseThrow().getFileName().toString();
            }
            Files.writeString(beside.resolve(versionDir).resolve("stray-file"), "not in the backup");
            Cli.Result deltaDry = Cli.run(env, "recover", "--mode", "database-only", "--cluster", "app-db", "--to", data.toString(), "--delta",
                    "--dry-run");
            assertThat(deltaDry.status()).as(deltaDry.err()).isZero();
            assertThat(deltaDry.out()).contains("-> " + beside, "already in place");
            int port3 = FreePort.pick();
            Cli.Result delta = Cli.run(env, "recover", "--mode", "database-only", "--cluster", "app-db", "--to", data.toString(), "--delta",
                    "--port", Integer.toString(port3), "--confirm");
            assertThat(delta.status()).as(delta.err()).isZero();
            PostgresServer r1again = pg.adopt(home, "r1-delta", port3);
            assertThat(r1again.queryOne("SELECT count(*) >= 8000 FROM progress")).isEqualTo("t");
            assertThat(r1again.queryOne("SELECT count(*) FROM progress WHERE body = md5(id::text)")).isEqualTo("8000");
            assertThat(r1again.queryOne("SELECT to_regclass('after_recovery') IS NULL")).as("the copy's own writes are gone").isEqualTo("t");
            assertThat(Files.readSymbolicLink(data.resolve("pg_tblspc").resolve(oid))).isEqualTo(beside);
            assertThat(beside.resolve(versionDir).resolve("stray-file")).doesNotExist();
            r1again.stop();

            // 'restore postgres' places tablespaces the same way, and leaves no tablespace_map to relink them.
            Path plain = pg.newServerHome("r4").resolve("data");
            Cli.Result restore = Cli.run(env, "restore", "postgres", "--snapshot", "latest", "--name", "app-db", "--to", plain.toString());
            assertThat(restore.status()).as(restore.err()).isZero();
            assertThat(restore.out()).contains("tablespace ts1 (" + oid);
            assertThat(Files.readSymbolicLink(plain.resolve("pg_tblspc").resolve(oid))).isEqualTo(plain.resolveSibling("data.tablespaces").resolve(oid));
            try (var versions = Files.list(plain.resolve("pg_tblspc").resolve(oid))) {
                assertThat(versions.map(p -> p.getFileName().toString())).singleElement().asString().startsWith("PG_");
            }
            assertThat(plain.resolve("tablespace_map")).doesNotExist();

            // A full verification restores it into a scratch cluster and checks it, without the production's memory
            // settings (written here, not loaded: 200 GB of shared_buffers would not start on this machine).
            primary.execute("ALTER SYSTEM SET shared_buffers = '200GB'");
            Process again = AgentFixture.startAgent(env, tmp.resolve("agent2.log"), "--status-every", "1h");
            try {
                AgentFixture.awaitSlotActive(primary);
                Cli.Result second = Cli.run(env, "backup", "postgres", "--cluster", "app-db");
                assertThat(second.status()).as(second.err()).isZero();
                AgentFixture.awaitWalStored(primary);
            } finally {
                again.destroy();
                again.waitFor(30, TimeUnit.SECONDS);
            }
            Cli.Result verify = Cli.run(env, "verify", "--full", "--only", "postgres");
            assertThat(verify.status()).as(verify.out() + verify.err()).isZero();
        }
    }
}
