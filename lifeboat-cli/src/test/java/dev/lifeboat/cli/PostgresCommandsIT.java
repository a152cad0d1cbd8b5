package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import java.nio.file.Path;
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
            PostgresServer restored = pg.serverAt(home, "restored");
            restored.start();
            assertThat(restored.queryOne("SELECT count(*) FROM users")).isEqualTo("5000");

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
