package dev.lifeboat.postgres.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalConfigTest {
    @TempDir
    Path etc;

    @Test
    void pathsToTheOriginalAreCommentedOutAndIncludesInlined() throws Exception {
        Files.createDirectories(etc.resolve("conf.d"));
        Files.writeString(etc.resolve("conf.d/b.conf"), "max_connections = 50\n");
        Files.writeString(etc.resolve("conf.d/a.conf"), "work_mem = '7MB'\nexternal_pid_file = '/var/run/x.pid'\n");
        Files.writeString(etc.resolve("conf.d/.hidden.conf"), "work_mem = '1MB'\n");
        Files.writeString(etc.resolve("extra.conf"), "shared_buffers = '64MB'\n");
        String text = ExternalConfig.selfContained(String.join("\n",
                "data_directory = '/var/lib/postgresql/15/main'   # use data in another directory",
                "hba_file = '/etc/postgresql/15/main/pg_hba.conf'",
                "#ident_file = 'ConfigDir/pg_ident.conf'",
                "port = 5432",
                "stats_temp_directory = '/var/run/postgresql/15-main.pg_stat_tmp'",
                "include_if_exists = 'extra.conf'",
                "include 'missing.conf'",
                "include_dir = 'conf.d'"), etc);
        assertThat(text).contains("# lifeboat: points at the original cluster's files, so not in a copy: data_directory = '/var/lib/postgresql/15/main'",
                "# lifeboat: points at the original cluster's files, so not in a copy: hba_file",
                "# lifeboat: points at the original cluster's files, so not in a copy: stats_temp_directory",
                "\n#ident_file = 'ConfigDir/pg_ident.conf'\n", "\nport = 5432\n", "\nshared_buffers = '64MB'\n",
                "# lifeboat: inlined below: include 'missing.conf'", "# lifeboat: points at the original cluster's files: external_pid_file");
        assertThat(text.indexOf("work_mem = '7MB'")).as("conf.d in name order").isLessThan(text.indexOf("max_connections = 50"));
        assertThat(text).doesNotContain("work_mem = '1MB'");
        assertThat(text.lines().filter(l -> l.matches("^\\s*(data_directory|hba_file|stats_temp_directory|external_pid_file|include).*"))).isEmpty();
    }
}
