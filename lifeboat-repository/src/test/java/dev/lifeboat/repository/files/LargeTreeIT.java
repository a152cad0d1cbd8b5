package dev.lifeboat.repository.files;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.repository.RepoFixture;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The check as a user would run it: a tree of a few hundred MB, 1 % of it changed, backed up again. */
class LargeTreeIT {
    @TempDir
    Path dir;

    @Test
    void secondBackupOfAFewHundredMegabytesAfterAOnePercentChangeStoresAboutTheChange() throws Exception {
        Path source = TreeFixture.create(dir.resolve("src"), 300, 1_000_000, 11);
        Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")), RepoFixture.SECRET,
                RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
        DirectoryBackup backup = new DirectoryBackup(repo, Clock.systemUTC(), 2);
        Snapshot first = backup.run(source, "data", List.of(), Progress.NONE);
        long total = first.manifest().stats().bytes();
        assertThat(total).isGreaterThan(300_000_000L);
        Map<String, String> before = TreeFixture.describe(source);

        // 1 %: three of the 300 files get new content (a rotated log, a rebuilt artifact, a new dump).
        Random r = new Random(12);
        long changed = 0;
        for (int i : new int[] {17, 150, 281}) {
            Path f = source.resolve("data/part-" + i + (i % 2 == 0 ? ".log" : ".bin"));
            byte[] fresh = i % 2 == 0 ? TreeFixture.text(r, 1_000_000) : TreeFixture.bytes(r, 1_000_000);
            Files.write(f, fresh);
            changed += fresh.length;
        }
        Snapshot second = backup.run(source, "data", List.of(), Progress.NONE);
        long newBytes = second.manifest().stats().newBytes();
        System.out.printf("LargeTreeIT: %d MB backed up, %d bytes changed, second backup stored %d new bytes (%.2fx)%n",
                total / 1_000_000, changed, newBytes, newBytes / (double) changed);
        assertThat(newBytes).isBetween(changed * 9 / 10, changed * 11 / 10);

        new DirectoryRestore(repo).run(first, dir.resolve("first"), Progress.NONE);
        new DirectoryRestore(repo).run(second, dir.resolve("second"), Progress.NONE);
        assertThat(TreeFixture.describe(dir.resolve("first"))).isEqualTo(before);
        assertThat(TreeFixture.describe(dir.resolve("second"))).isEqualTo(TreeFixture.describe(source));
    }
}
