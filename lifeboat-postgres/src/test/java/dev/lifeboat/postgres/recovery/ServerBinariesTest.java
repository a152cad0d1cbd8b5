package dev.lifeboat.postgres.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.SnapshotManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerBinariesTest {
    @TempDir
    Path tmp;

    private Path fakeBin(String version) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(version));
        for (String tool : new String[] {"initdb", "pg_ctl", "postgres", "pg_basebackup"}) {
            Path p = dir.resolve(tool);
            Files.writeString(p, "#!/bin/sh\necho '" + tool + " (PostgreSQL) " + version + "'\n");
            p.toFile().setExecutable(true);
        }
        return dir;
    }

    private static Snapshot backupOf(String serverVersionNum) {
        return new Snapshot("0123456789abcdef0123", new SnapshotManifest(SnapshotManifest.FORMAT, "t", "t", "h", "postgres", "app-db", "/d",
                List.of(), "c", List.of(), new SnapshotManifest.Stats(0, 0, 0, 0, 0, 0, 0, 0), Map.of("server_version_num", serverVersionNum)));
    }

    @Test
    void binariesOfAnotherMajorVersionAreRefusedBeforeAnythingIsFetched() throws Exception {
        Path sixteen = fakeBin("16.4");
        LifeboatException e = catchThrowableOfType(LifeboatException.class, () -> ServerBinaries.forBackup(Optional.of(sixteen), backupOf("150018")));
        assertThat(e.code()).isEqualTo(ErrorCode.BINARY_NOT_FOUND);
        assertThat(e.getMessage()).contains("is of PostgreSQL 15", sixteen + " are PostgreSQL 16");
        assertThat(e.hint()).contains("apt-get install -y postgresql-15");
        Path fifteen = fakeBin("15.18");
        assertThat(ServerBinaries.forBackup(Optional.of(fifteen), backupOf("150018"))).isEqualTo(fifteen);
    }
}
