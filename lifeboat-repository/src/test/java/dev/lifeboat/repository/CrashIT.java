package dev.lifeboat.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.repository.check.RepositoryVerifier;
import dev.lifeboat.repository.check.VerifyReport;
import dev.lifeboat.repository.files.DirectoryRestore;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.files.TreeFixture;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a backup at random moments, again and again: after every kill the repository still verifies and the
 * next backup succeeds; at the end every snapshot restores.
 */
class CrashIT {
    @TempDir
    Path dir;

    @Test
    void killedBackupsLeaveARepositoryThatVerifiesAndAcceptsTheNextBackup() throws Exception {
        RepoFixture fx = new RepoFixture(dir.resolve("repo"));
        Path source = TreeFixture.create(dir.resolve("src"), 24, 1_000_000, 7);
        Random random = new Random(42);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        int kills = 0;
        int interrupted = 0;
        for (int round = 0; round < 8; round++) {
            // Change something each round so every backup has new data to write.
            try (RandomAccessFile f = new RandomAccessFile(source.resolve("data/part-" + (round % 12 * 2 + 1) + ".bin").toFile(), "rw")) {
                byte[] noise = new byte[200_000];
                random.nextBytes(noise);
                f.seek(random.nextInt(700_000));
                f.write(noise);
            }
            int packsBefore = fx.store.list("data/").size();
            Process child = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), BackupFixture.class.getName(),
                    fx.store.root().toString(), source.toString()).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("ready");
            // Kill while the backup is writing: once a new pack has appeared, at a random moment shortly after.
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (fx.store.list("data/").size() <= packsBefore) {
                assertThat(System.nanoTime()).as("the child backup wrote a pack within 60 s").isLessThan(deadline);
                Thread.sleep(10);
            }
            Thread.sleep(random.nextInt(400));
            child.destroyForcibly();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
            kills++;

            Repository repo = fx.reopen();
            VerifyReport report = new RepositoryVerifier(repo).run(false, Progress.NONE);
            assertThat(report.problems()).as("round %d after kill -9", round).isEmpty();
            if (report.notes().stream().anyMatch(n -> n.contains("in no index"))) {
                interrupted++;
            }
            // The dead backup's lock is stale at once (same host, process gone), so the next backup proceeds.
            try (var lock = dev.lifeboat.repository.lock.RepositoryLock.shared(fx.store, java.time.Clock.systemUTC(), "after crash")) {
                fx.backup(source, "crash");
            }
        }
        assertThat(kills).isEqualTo(8);
        // Packs without an index prove that kills landed in the middle of writing a backup.
        assertThat(interrupted).as("rounds killed mid-backup").isPositive();
        Repository repo = fx.reopen();
        VerifyReport deep = new RepositoryVerifier(repo).run(true, Progress.NONE);
        assertThat(deep.problems()).isEmpty();
        int i = 0;
        for (Snapshot s : repo.snapshots().list()) {
            new DirectoryRestore(repo).run(s, dir.resolve("restore-" + i++), Progress.NONE);
        }
        Snapshot latest = repo.snapshots().find("latest", java.util.Optional.empty());
        Path last = dir.resolve("latest");
        new DirectoryRestore(repo).run(latest, last, Progress.NONE);
        assertThat(TreeFixture.describe(last)).isEqualTo(TreeFixture.describe(source));
    }
}
