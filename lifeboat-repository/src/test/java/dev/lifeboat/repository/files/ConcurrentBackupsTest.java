package dev.lifeboat.repository.files;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.check.RepositoryVerifier;
import dev.lifeboat.repository.check.VerifyReport;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent runs schedules side by side on one {@link Repository}: backups of trees that share most of their content
 * (so both store the same new chunks at the same time) leave a repository that verifies deeply, and each snapshot
 * restores to its own tree.
 */
class ConcurrentBackupsTest {
    @TempDir
    Path dir;

    @Test
    void backupsRunningSideBySideOnOneRepositoryEachRestoreAndTheRepositoryVerifies() throws Exception {
        Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")), DirectoryBackupTest.SECRET,
                RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
        List<Path> sources = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Path src = TreeFixture.create(dir.resolve("src-" + i), 6, 300_000, 7); // the same seed: the same content
            Files.writeString(src.resolve("etc/own-" + i + ".txt"), "tree " + i);
            sources.add(src);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Snapshot>> runs = new ArrayList<>();
        try {
            for (int i = 0; i < sources.size(); i++) {
                Path src = sources.get(i);
                String name = "tree-" + i;
                runs.add(pool.submit(() -> new DirectoryBackup(repo, Clock.systemUTC(), 2).run(src, name, List.of(), Progress.NONE)));
            }
            List<Snapshot> snapshots = new ArrayList<>();
            for (Future<Snapshot> f : runs) {
                snapshots.add(f.get());
            }
            VerifyReport report = new RepositoryVerifier(Repository.open(repo.store(), DirectoryBackupTest.SECRET)).run(true, Progress.NONE);
            assertThat(report.ok()).as(report.problems().toString()).isTrue();
            assertThat(report.snapshots()).isEqualTo(4);
            for (int i = 0; i < snapshots.size(); i++) {
                Path restored = dir.resolve("restored-" + i);
                new DirectoryRestore(Repository.open(repo.store(), DirectoryBackupTest.SECRET)).run(snapshots.get(i), restored, Progress.NONE);
                assertThat(TreeFixture.describe(restored)).isEqualTo(TreeFixture.describe(sources.get(i)));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
