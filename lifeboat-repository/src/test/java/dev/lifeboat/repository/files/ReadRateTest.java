package dev.lifeboat.repository.files;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadRateTest {
    @TempDir
    Path dir;

    @Test
    void readsAFewWholePacksSpreadOverTheSnapshot() {
        Path source = TreeFixture.create(dir.resolve("src"), 12, 2_000_000, 9); // about 24 MB in 1 MiB packs
        Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")), DirectoryBackupTest.SECRET,
                RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()).withPackSize(1 << 20));
        Snapshot s = new DirectoryBackup(repo, Clock.systemUTC(), 2).run(source, "data", List.of(), Progress.NONE);

        ReadRate r = ReadRate.measure(repo, s, 2);

        assertThat(r.mbPerSecond()).isPositive();
        // Four packs of at most about 1 MiB stored each; the files barely compress, so about as much plaintext.
        assertThat(r.sampleBytes()).isBetween(1L << 20, 6L << 20);
        assertThat(r.took()).isPositive();
    }
}
