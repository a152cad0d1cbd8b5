package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.core.process.OsUser;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster laid out as Debian and Ubuntu lay it out: postgresql.conf, pg_hba.conf, pg_ident.conf and conf.d in
 * their own directory (/etc/postgresql/15/main), pointing at the data directory. Its backup restores into a data
 * directory that starts on its own, with the original's settings but none of its paths.
 */
class ExternalConfigIT {
    @TempDir
    Path tmp;

    @Test
    void aClusterWithItsConfigurationElsewhereRestoresIntoADirectoryThatStarts() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("cfg").start()) {
            PostgresServer primary = pg.primary();
            Path data = primary.dataDirectory();
            primary.stop();
            Path etc = pg.newServerHome("etc");
            for (String f : new String[] {"postgresql.conf", "pg_hba.conf", "pg_ident.conf"}) {
                Files.move(data.resolve(f), etc.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
            Path confD = OsUser.ownedDirectory(etc.resolve("conf.d"), OsUser.POSTGRES);
            Files.writeString(confD.resolve("tuning.conf"), "work_mem = '7MB'\n");
            Path pidFile = etc.resolve("cfg.pid");
            Files.writeString(etc.resolve("postgresql.conf"), String.join("\n", "",
                    "data_directory = '" + data + "'",
                    "hba_file = '" + etc.resolve("pg_hba.conf") + "'",
                    "ident_file = '" + etc.resolve("pg_ident.conf") + "'",
                    "external_pid_file = '" + pidFile + "'",
                    "include_dir = 'conf.d'", ""), java.nio.file.StandardOpenOption.APPEND);
            primary.startWith("-c config_file=" + etc.resolve("postgresql.conf"));
            assertThat(primary.queryOne("SHOW work_mem")).isEqualTo("7MB");
            String originalPid = Files.readString(pidFile);
            primary.execute("CREATE TABLE progress AS SELECT g AS id FROM generate_series(1, 1000) g",
                    "CREATE UNLOGGED TABLE sessions AS SELECT g AS id, md5(g::text) AS token FROM generate_series(1, 20000) g");
            String sessionsFile = primary.queryOne("SELECT pg_relation_filepath('sessions')");

            Map<String, String> env = AgentFixture.planWithWal(tmp, primary, "cfg");
            Cli.Result backup = Cli.run(env, "backup", "postgres", "--cluster", "app-db", "--json");
            assertThat(backup.status()).as(backup.err()).isZero();
            assertThat(backup.json().get("labels").get("external_config_file").asText()).isEqualTo(etc.resolve("postgresql.conf").toString());

            Path home = pg.newServerHome("r");
            Cli.Result restore = Cli.run(env, "restore", "postgres", "--snapshot", "latest", "--name", "app-db", "--to", home.resolve("data").toString());
            assertThat(restore.status()).as(restore.err()).isZero();
            String conf = Files.readString(home.resolve("data/postgresql.conf"));
            assertThat(conf).contains("# lifeboat: points at the original cluster's files, so not in a copy: data_directory = '" + data + "'",
                    "# lifeboat: from " + confD.resolve("tuning.conf"), "work_mem = '7MB'");
            assertThat(home.resolve("data/pg_hba.conf")).exists();
            assertThat(home.resolve("data/pg_ident.conf")).exists();
            // An unlogged table's data is not copied, only its init fork: recovery empties it anyway.
            assertThat(home.resolve("data").resolve(sessionsFile)).doesNotExist();
            assertThat(home.resolve("data").resolve(sessionsFile + "_init")).exists();

            PostgresServer copy = pg.serverAt(home, "r");
            copy.start();
            assertThat(copy.queryOne("SELECT count(*) FROM progress")).isEqualTo("1000");
            assertThat(copy.queryOne("SELECT count(*) FROM sessions")).isEqualTo("0");
            copy.execute("INSERT INTO sessions VALUES (1, 'new')");
            assertThat(copy.queryOne("SHOW work_mem")).as("conf.d inlined").isEqualTo("7MB");
            assertThat(copy.queryOne("SHOW data_directory")).isEqualTo(home.resolve("data").toString());
            assertThat(copy.queryOne("SHOW hba_file")).isEqualTo(home.resolve("data/pg_hba.conf").toString());
            assertThat(copy.queryOne("SHOW external_pid_file")).isEmpty();
            assertThat(Files.readString(pidFile)).as("the original's PID file untouched").isEqualTo(originalPid);
            copy.stop();
            assertThat(primary.queryOne("SELECT count(*) FROM progress")).isEqualTo("1000");
        }
    }
}
