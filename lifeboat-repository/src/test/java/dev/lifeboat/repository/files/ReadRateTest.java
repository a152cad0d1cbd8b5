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

        ReadRate r = ReadRate.measure(repo, s, 2).orElseThrow();

        assertThat(r.mbPerSecond()).isPositive();
        // Four packs of about 1 MiB stored each, holding up to about twice that in plaintext (the files compress).
        assertThat(r.sampleBytes()).isBetween(1L << 20, 4 * (4L << 20));
        assertThat(r.took()).isPositive();
        // Many threads still read a bounded sample.
        assertThat(ReadRate.measure(repo, s, 64).orElseThrow().sampleBytes()).isLessThanOrEqualTo((long) ReadRate.MAX_PACKS * (4L << 20))
                .isGreaterThan(r.sampleBytes());
    }
}
