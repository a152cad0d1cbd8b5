package dev.lifeboat.postgres.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void sweepsDirectoriesWhoseOwnerIsGoneAndKeepsTheLivingOnes() throws Exception {
        Path mine = ScratchDirectory.create(tmp);
        Files.createDirectories(mine.resolve("data"));

        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path orphan = Files.createDirectory(tmp.resolve(ScratchDirectory.PREFIX + "orphan"));
        Files.writeString(orphan.resolve(ScratchDirectory.OWNER), ScratchDirectory.owner(gone.toHandle()), StandardCharsets.US_ASCII);
        Files.createDirectories(orphan.resolve("data/base/1"));
        Files.write(orphan.resolve("data/base/1/1259"), new byte[8192]);

        // Our own pid with another start time: a pid reused by an unrelated process is not the owner.
        Path reused = Files.createDirectory(tmp.resolve(ScratchDirectory.PREFIX + "reused"));
        Files.writeString(reused.resolve(ScratchDirectory.OWNER), ProcessHandle.current().pid() + " 2001-01-01T00:00:00Z");

        Path unownedFresh = Files.createDirectory(tmp.resolve(ScratchDirectory.PREFIX + "starting"));
        Path unownedOld = Files.createDirectory(tmp.resolve(ScratchDirectory.PREFIX + "old"));
        Files.setLastModifiedTime(unownedOld, FileTime.from(Instant.now().minus(ScratchDirectory.UNOWNED_GRACE).minusSeconds(60)));
        Path unrelated = Files.createDirectory(tmp.resolve("something-else"));

        List<String> removed = ScratchDirectory.sweep(tmp, Optional.empty());

        assertThat(mine).exists();
        assertThat(unownedFresh).exists();
        assertThat(unrelated).exists();
        assertThat(orphan).doesNotExist();
        assertThat(reused).doesNotExist();
        assertThat(unownedOld).doesNotExist();
        assertThat(removed).hasSize(3).anySatisfy(m -> assertThat(m).contains(orphan.toString(), "its process " + gone.pid() + " is gone"))
                .anySatisfy(m -> assertThat(m).contains(unownedOld.toString(), "no owner"));
    }

    @Test
    void theOwnerFileNamesThisProcess() throws Exception {
        Path dir = ScratchDirectory.create(tmp);
        assertThat(dir.getFileName().toString()).startsWith(ScratchDirectory.PREFIX);
        assertThat(Files.readString(dir.resolve(ScratchDirectory.OWNER)).trim()).startsWith(ProcessHandle.current().pid() + " ");
        assertThat(ScratchDirectory.abandoned(dir)).isEmpty();
    }
}
