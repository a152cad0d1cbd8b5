package dev.lifeboat.store.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.repository.RepoFixture;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.check.RepositoryVerifier;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.files.DirectoryBackup;
import dev.lifeboat.repository.files.DirectoryRestore;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.files.TreeFixture;
import dev.lifeboat.repository.region.Region;
import dev.lifeboat.repository.region.RegionSet;
import dev.lifeboat.repository.region.RegionStatus;
import dev.lifeboat.repository.region.RegionSync;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import dev.lifeboat.repository.store.RetryingObjectStore;
import dev.lifeboat.testkit.S3ProxyServer;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real regional outage: the S3 server of one region is killed during backups and comes back later. */
class RegionOutageIT {
    @TempDir
    Path dir;

    @Test
    void backupsCommitDuringTheOutageAndSyncBringsTheRegionLevel() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start()) {
            s3.createBucket("dr-region");
            S3ObjectStore remote = new S3ObjectStore(S3Config.of(s3.endpoint(), "us-west-2", "dr-region", S3ProxyServer.ACCESS_KEY,
                    S3ProxyServer.SECRET_KEY).withTimeout(Duration.ofSeconds(5)));
            RegionSet set = new RegionSet(List.of(new Region("us-east-1", new FilesystemObjectStore(dir.resolve("primary"))),
                    new Region("us-west-2", new RetryingObjectStore(remote, 2, Duration.ofMillis(50)))), 1);
            Path source = TreeFixture.create(dir.resolve("src"), 6, 300_000, 3);
            Repository repo = Repository.init(set, RepoFixture.SECRET, RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests())
                    .withPackSize(512 * 1024));
            DirectoryBackup backup = new DirectoryBackup(repo, Clock.systemUTC(), 2);
            backup.run(source, "config", List.of(), Progress.NONE);
            assertThat(set.drain(30_000)).isZero();
            assertThat(RegionStatus.of(set, Instant.now())).allMatch(RegionStatus::inSync);

            s3.stop(); // the region goes away
            for (int i = 0; i < 2; i++) {
                try (RandomAccessFile f = new RandomAccessFile(source.resolve("data/part-" + (2 * i + 1) + ".bin").toFile(), "rw")) {
                    f.seek(1000);
                    f.write(new byte[150_000 + i]);
                }
                backup.run(source, "config", List.of(), Progress.NONE);
            }
            set.drain(30_000);
            assertThat(set.failedCopies()).isPositive();
            RegionStatus down = status(set, "us-west-2");
            assertThat(down.reachable()).isFalse();
            assertThat(down.error()).get().asString().contains("dr-region", "Connection refused");
            assertThat(repo.snapshots().list()).hasSize(3);

            s3.restart(); // the region is back, with what it had before
            RegionStatus behind = status(set, "us-west-2");
            assertThat(behind.reachable()).isTrue();
            assertThat(behind.missingObjects()).isPositive();
            assertThat(behind.lagAge()).isPresent();

            RegionSync.Result r = RegionSync.run(set.region("us-east-1"), set.region("us-west-2"), false, false, Progress.NONE);
            assertThat(r.copied()).isEqualTo(behind.missingObjects());
            assertThat(status(set, "us-west-2").inSync()).isTrue();

            // The repaired region alone holds everything: verify deep and restore the newest snapshot from it.
            Repository west = Repository.open(remote, RepoFixture.SECRET);
            assertThat(new RepositoryVerifier(west).run(true, Progress.NONE).problems()).isEmpty();
            Snapshot latest = west.snapshots().find("latest", Optional.empty());
            new DirectoryRestore(west).run(latest, dir.resolve("restored"), Progress.NONE);
            assertThat(TreeFixture.describe(dir.resolve("restored"))).isEqualTo(TreeFixture.describe(source));
            set.close();
        }
    }

    private static RegionStatus status(RegionSet set, String name) {
        return RegionStatus.of(set, Instant.now()).stream().filter(s -> s.region().equals(name)).findFirst().orElseThrow();
    }
}
