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
                "# lifeboat: inlined below: include 'missing.conf'", "# lifeboat: points at the original cluster's files, so not in a copy: external_pid_file");
        assertThat(text.indexOf("work_mem = '7MB'")).as("conf.d in name order").isLessThan(text.indexOf("max_connections = 50"));
        assertThat(text).doesNotContain("work_mem = '1MB'");
        assertThat(text.lines().filter(l -> l.matches("^\\s*(data_directory|hba_file|stats_temp_directory|external_pid_file|include).*"))).isEmpty();
    }

    @Test
    void windowsLineEndsMixedCaseBareValuesAndNestedIncludesAreHandledAsPostgresDoes() throws Exception {
        Files.createDirectories(etc.resolve("conf.d/sub"));
        Files.writeString(etc.resolve("conf.d/10-a.conf"), "include 'sub/deeper.conf'\n");
        Files.createDirectories(etc.resolve("conf.d/dir.conf")); // a directory named like a file: skipped
        Files.writeString(etc.resolve("conf.d/sub/deeper.conf"), "Data_Directory = '/elsewhere'\nshared_buffers = '1GB'\n");
        Files.write(etc.resolve("latin1.conf"), "# caf\u00e9 en Latin-1\nwork_mem = 4MB\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        String text = ExternalConfig.selfContained("DATA_DIRECTORY = '/var/lib/postgresql/15/main'\r\nport = 5433\r\n"
                + "INCLUDE_DIR conf.d\r\ninclude = 'lat''in1.conf'\r\n", etc);
        assertThat(text).contains("# lifeboat: points at the original cluster's files, so not in a copy: DATA_DIRECTORY",
                "\nport = 5433\n", "# lifeboat: from " + etc.resolve("conf.d/sub/deeper.conf"), "shared_buffers = '1GB'",
                "# lifeboat: points at the original cluster's files, so not in a copy: Data_Directory = '/elsewhere'");
        assertThat(text).doesNotContain("\r").doesNotContain("dir.conf");
        assertThat(text.lines().filter(l -> l.toLowerCase().startsWith("data_directory"))).isEmpty();
        // 'lat''in1.conf' names latin1.conf? No: the quote doubles, so it names lat'in1.conf, which does not exist.
        assertThat(text).contains("# lifeboat: inlined below: include = 'lat''in1.conf'").doesNotContain("work_mem = 4MB");
        String latin = ExternalConfig.selfContained("include_if_exists = 'latin1.conf'\n", etc);
        assertThat(latin.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).as("bytes kept as they were")
                .containsSubsequence("caf\u00e9".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @Test
    void includesThatNestWithoutEndAreRefused() throws Exception {
        Files.writeString(etc.resolve("loop.conf"), "include 'loop.conf'\n");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> ExternalConfig.selfContained("include 'loop.conf'\n", etc)))
                .hasMessageContaining("includes nest deeper than 10 levels");
    }

    @Test
    void aCopyPointsAtItsOwnAuthenticationFilesWhenTheBackupTookThemFromElsewhere() {
        assertThat(dev.lifeboat.postgres.recovery.CopyIsolation.configFiles(java.util.Map.of("external_hba_file", "/etc/pg/pg_hba.conf"),
                Path.of("/srv/copy's"))).containsExactly("hba_file = '/srv/copy''s/pg_hba.conf'");
        assertThat(dev.lifeboat.postgres.recovery.CopyIsolation.configFiles(java.util.Map.of(), Path.of("/srv/copy"))).isEmpty();
    }
}
