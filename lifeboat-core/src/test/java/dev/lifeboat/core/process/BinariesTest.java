package dev.lifeboat.core.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BinariesTest {
    @Test
    void missingPostgresSaysWhereItLookedAndHowToInstall() {
        LifeboatException e = catchThrowableOfType(LifeboatException.class,
                () -> Binaries.postgresBin("/nowhere/bin", Path.of("/nowhere/lib"), false));
        assertThat(e.code()).isEqualTo(ErrorCode.BINARY_NOT_FOUND);
        assertThat(e.getMessage()).contains("PostgreSQL server binaries", "/nowhere/bin ($LIFEBOAT_PG_BIN)", "/nowhere/lib/*/bin");
        assertThat(e.hint()).contains("apt-get install -y postgresql", "LIFEBOAT_PG_BIN");
        assertThat(e.exitStatus()).isEqualTo(60);
    }

    /** A fake bin directory whose tools exist and whose postgres prints {@code version}. */
    static Path fakeBin(Path dir, String version) throws Exception {
        java.nio.file.Files.createDirectories(dir);
        for (String tool : new String[] {"initdb", "pg_ctl", "postgres", "pg_basebackup"}) {
            Path p = dir.resolve(tool);
            java.nio.file.Files.writeString(p, "#!/bin/sh\necho '" + tool + " (PostgreSQL) " + version + " (Debian " + version + "-1)'\n");
            p.toFile().setExecutable(true);
        }
        return dir;
    }

    @Test
    void theBackupsMajorVersionComesFirstOnAHostWithSeveral(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path lib = tmp.resolve("lib");
        fakeBin(lib.resolve("15/bin"), "15.18");
        fakeBin(lib.resolve("16/bin"), "16.4");
        assertThat(Binaries.postgresBin(null, lib, false)).as("without a version: the newest").isEqualTo(lib.resolve("16/bin"));
        assertThat(Binaries.postgresBin(15, null, lib, false)).isEqualTo(lib.resolve("15/bin"));
        assertThat(Binaries.postgresBin(15, lib.resolve("16/bin").toString(), lib, false)).as("configured wins").isEqualTo(lib.resolve("16/bin"));
        assertThat(Binaries.postgresBin(14, null, lib, false)).as("none of that version: the usual search").isEqualTo(lib.resolve("16/bin"));
        assertThat(Binaries.serverMajor(lib.resolve("15/bin"))).isEqualTo(15);
        assertThat(Binaries.serverMajor(lib.resolve("16/bin"))).isEqualTo(16);
    }
}
