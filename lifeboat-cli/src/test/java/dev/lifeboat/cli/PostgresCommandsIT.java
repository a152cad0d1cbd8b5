package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** backup postgres and restore postgres as a user runs them, against a real server. */
class PostgresCommandsIT {
    @TempDir
    Path tmp;



    @Test
    void backupThenRestoreGivesAStartableClusterWithTheData() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().start()) {
            PostgresServer primary = pg.primary();
            primary.execute("CREATE TABLE users (id int PRIMARY KEY, email text)",
                    "INSERT INTO users SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 5000) g");
            Map<String, String> env = Map.of("LIFEBOAT_PASSPHRASE", "pg cli test", "LIFEBOAT_REPOSITORY", tmp.resolve("repo").toString());
            assertThat(Cli.run(env, "repo", "init").status()).isZero();

            Cli.Result backup = Cli.run(env, "backup", "postgres", "--host", "127.0.0.1", "--port", Integer.toString(primary.port()),
                    "--data-dir", primary.dataDirectory().toString(), "--name", "app-db", "--json");
            assertThat(backup.status()).as(backup.err()).isZero();
            var json = new ObjectMapper().readTree(backup.out());
            assertThat(json.get("labels").get("timeline").asText()).isEqualTo("1");

            Path home = pg.newServerHome("restored");
            Cli.Result restore = Cli.run(env, "restore", "postgres", "--snapshot", "latest", "--name", "app-db", "--to", home.resolve("data").toString());
            assertThat(restore.status()).as(restore.err()).isZero();
            assertThat(restore.out()).contains("Restored PostgreSQL snapshot", "pg_ctl -D");
            // As root, the copy goes to the local user of the name that owned the data directory where the backup was
            // taken (on another host its uid often differs), and the timeline says so.
            assertThat(json.get("labels").get("data_dir_owner").asText()).isEqualTo("postgres");
            assertThat(restore.err()).contains("the files belong to postgres (uid", "who owned the data directory where the backup was taken");
            PostgresServer restored = pg.serverAt(home, "restored");
            restored.start();
            assertThat(restored.queryOne("SELECT count(*) FROM users")).isEqualTo("5000");

            // A --to directory someone prepared for the server's user decides instead, for every file.
            Path prepared = java.nio.file.Files.createDirectories(tmp.resolve("prepared"));
            java.nio.file.Files.setAttribute(prepared, "unix:uid", 65534);
            java.nio.file.Files.setAttribute(prepared, "unix:gid", 65534);
            Cli.Result toPrepared = Cli.run(env, "restore", "postgres", "--snapshot", "latest", "--name", "app-db", "--to", prepared.toString());
            assertThat(toPrepared.status()).as(toPrepared.err()).isZero();
            assertThat(toPrepared.err()).contains("who owns " + prepared);
            for (Path p : List.of(prepared.resolve("PG_VERSION"), prepared.resolve("base"), prepared.resolve("global/pg_control"))) {
                assertThat(java.nio.file.Files.getAttribute(p, "unix:uid")).as(p.toString()).isEqualTo(65534);
            }

            Cli.Result wrongDir = Cli.run(env, "backup", "postgres", "--port", Integer.toString(primary.port()), "--data-dir", tmp.toString(), "--name", "x");
            assertThat(wrongDir.status()).isEqualTo(2);
            assertThat(wrongDir.err()).contains("the server's data directory is", "--data-dir");
            java.nio.file.Files.createDirectories(tmp.resolve("conf"));
            String dirSnapshot = new ObjectMapper().readTree(Cli.run(env, "backup", "dir", "--source", tmp.resolve("conf").toString(),
                    "--name", "conf", "--json").out()).get("snapshot").asText();
            Cli.Result dirAsPostgres = Cli.run(env, "restore", "postgres", "--snapshot", dirSnapshot.substring(0, 8), "--to", tmp.resolve("x").toString());
            assertThat(dirAsPostgres.status()).isEqualTo(2);
            assertThat(dirAsPostgres.err()).contains("is a directory backup, not a PostgreSQL one");
        }
    }
}
