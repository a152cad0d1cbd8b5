package dev.lifeboat.repository.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeltaRestoreTest {
    @TempDir
    Path dir;

    private Repository repo() {
        return Repository.init(new FilesystemObjectStore(dir.resolve("repo")), DirectoryBackupTest.SECRET,
                RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()).withPackSize(4 * 1024 * 1024));
    }

    @Test
    void bringsADriftedCopyBackToTheSnapshotFetchingOnlyWhatDiffers() throws Exception {
        Path source = TreeFixture.create(dir.resolve("src"), 10, 500_000, 11);
        Repository repo = repo();
        Snapshot s = new DirectoryBackup(repo, Clock.systemUTC(), 2).run(source, "config", List.of(), Progress.NONE);
        Path target = dir.resolve("target");
        new DirectoryRestore(repo).run(s, target, Progress.NONE);
        Map<String, String> expected = TreeFixture.describe(source);

        // Drift: a changed region, a truncated file, a grown file, a deleted file, a file replaced by a directory,
        // a link re-pointed, a changed mode, and files and directories the snapshot never had.
        try (RandomAccessFile f = new RandomAccessFile(target.resolve("data/part-3.bin").toFile(), "rw")) {
            f.seek(200_000);
            f.write(new byte[5000]);
        }
        try (RandomAccessFile f = new RandomAccessFile(target.resolve("data/part-4.log").toFile(), "rw")) {
            f.setLength(100_000);
        }
        Files.write(target.resolve("data/part-5.bin"), new byte[70_000], java.nio.file.StandardOpenOption.APPEND);
        Files.delete(target.resolve("data/part-6.log"));
        Files.delete(target.resolve("data/part-7.bin"));
        Files.createDirectories(target.resolve("data/part-7.bin/inside"));
        Files.delete(target.resolve("etc/current"));
        Files.createSymbolicLink(target.resolve("etc/current"), Path.of("/etc/passwd"));
        Files.setPosixFilePermissions(target.resolve("etc/run.sh"), PosixFilePermissions.fromString("rw-rw-rw-"));
        Files.writeString(target.resolve("etc/stray.conf"), "not in the snapshot");
        Files.createDirectories(target.resolve("stray/deeper"));
        Files.writeString(target.resolve("stray/deeper/file"), "x");
        Files.writeString(target.resolve("data/.lifeboat-partial-part-1.bin"), "left by an interrupted restore");
        Map<String, String> drifted = TreeFixture.describe(target);
        assertThat(drifted).isNotEqualTo(expected);

        DeltaRestore.Result planned = new DeltaRestore(repo).dryRun().run(s, target, Progress.NONE);
        assertThat(TreeFixture.describe(target)).as("a dry run changes nothing").isEqualTo(drifted);
        assertThat(planned.removedPaths()).containsExactlyInAnyOrder("etc/stray.conf", "stray/", "data/.lifeboat-partial-part-1.bin");

        DeltaRestore.Result r = new DeltaRestore(Repository.open(repo.store(), DirectoryBackupTest.SECRET))
                .run(s, target, Progress.NONE);

        assertThat(TreeFixture.describe(target)).isEqualTo(expected);
        assertThat(r.files()).isEqualTo(s.manifest().stats().files());
        assertThat(r.removed()).isEqualTo(5); // stray.conf, stray/, stray/deeper/, stray/deeper/file, the partial
        long total = s.manifest().stats().bytes();
        assertThat(r.reusedBytes() + r.fetchedBytes()).isEqualTo(total);
        // Fetched: the damaged chunks of part-3, the cut tail of part-4, all of part-6 and part-7, part-5's chunks
        // up to its old end are reused. Well under half of the 5 MB tree.
        assertThat(r.fetchedBytes()).isGreaterThanOrEqualTo(2 * 500_000L).isLessThan(total / 2);
        assertThat(planned.fetchedBytes()).as("the dry run's estimate").isEqualTo(r.fetchedBytes());
        assertThat(planned.removed()).isEqualTo(r.removed());
    }

    @Test
    void aSubtreeRestoredElsewhereIsComparedAndPatchedThere() throws Exception {
        // As a PostgreSQL tablespace: the tree's data/ lives in a directory of its own, linked from the target.
        Path source = TreeFixture.create(dir.resolve("src"), 6, 400_000, 13);
        Repository repo = repo();
        Snapshot s = new DirectoryBackup(repo, Clock.systemUTC(), 2).run(source, "config", List.of(), Progress.NONE);
        Path target = dir.resolve("target");
        Path outside = dir.resolve("tablespace");
        new DirectoryRestore(repo).elsewhere(Map.of("data", outside)).run(s, target, Progress.NONE);
        Files.createSymbolicLink(target.resolve("data"), outside);

        try (RandomAccessFile f = new RandomAccessFile(outside.resolve("part-3.bin").toFile(), "rw")) {
            f.seek(100_000);
            f.write(new byte[5000]);
        }
        DeltaRestore.Result planned = new DeltaRestore(repo).elsewhere(Map.of("data", outside)).dryRun().run(s, target, Progress.NONE);
        assertThat(planned.removedPaths()).isEmpty();
        DeltaRestore.Result r = new DeltaRestore(repo).elsewhere(Map.of("data", outside)).run(s, target, Progress.NONE);
        assertThat(TreeFixture.describe(outside)).isEqualTo(TreeFixture.describe(source.resolve("data")));
        assertThat(r.removedPaths()).isEmpty();
        assertThat(r.fetchedBytes()).isPositive().isLessThan(400_000L);
        assertThat(Files.isSymbolicLink(target.resolve("data"))).as("the link to the subtree's directory is left to the caller").isTrue();

        // An older copy that held the subtree inside the target: that directory goes, the subtree lives outside.
        Files.delete(target.resolve("data"));
        Files.createDirectories(target.resolve("data/old"));
        Files.writeString(target.resolve("data/old/file"), "x");
        DeltaRestore.Result again = new DeltaRestore(repo).elsewhere(Map.of("data", outside)).run(s, target, Progress.NONE);
        assertThat(target.resolve("data")).doesNotExist();
        assertThat(again.removedPaths()).containsExactly("data/");
        assertThat(again.fetchedBytes()).isZero();
    }

    /**
     * A tablespace's location is shared ground: pg_upgrade leaves the old major version's PG_15_… beside the new one,
     * a mount point has lost+found. Only what lies inside the snapshot's own top-level entries is cleaned, and a
     * location reached through the admin's link is followed, not replaced.
     */
    @Test
    void aSubtreesLocationKeepsWhatTheSnapshotNeverHadAndItsLinkIsFollowed() throws Exception {
        Path source = dir.resolve("src");
        Files.createDirectories(source.resolve("base/1"));
        Files.writeString(source.resolve("base/1/1259"), "catalog");
        Files.createDirectories(source.resolve("ts/PG_16_202307071/16384"));
        Files.writeString(source.resolve("ts/PG_16_202307071/16384/24576"), "table");
        Repository repo = repo();
        Snapshot s = new DirectoryBackup(repo, Clock.systemUTC(), 2).run(source, "app-db", List.of(), Progress.NONE);
        Path target = dir.resolve("target");
        Path disk = dir.resolve("disk/ts");
        Path location = dir.resolve("ts");
        new DirectoryRestore(repo).elsewhere(Map.of("ts", disk)).run(s, target, Progress.NONE);
        Files.createSymbolicLink(location, disk);
        Files.createDirectories(disk.resolve("PG_15_202209061/16384"));
        Files.writeString(disk.resolve("PG_15_202209061/16384/1259"), "the old cluster's catalog");
        Files.createDirectories(disk.resolve("lost+found"));
        Files.writeString(disk.resolve("PG_16_202307071/16384/99999"), "inside the snapshot's own directory: removed");
        Files.writeString(disk.resolve("PG_16_202307071/16384/24576"), "drifted");

        DeltaRestore.Result r = new DeltaRestore(repo).elsewhere(Map.of("ts", location)).run(s, target, Progress.NONE);
        assertThat(r.removedPaths()).containsExactly("ts/PG_16_202307071/16384/99999");
        assertThat(Files.isSymbolicLink(location)).as("the admin's link to the location").isTrue();
        assertThat(disk.resolve("PG_15_202209061/16384/1259")).hasContent("the old cluster's catalog");
        assertThat(disk.resolve("lost+found")).isDirectory();
        assertThat(disk.resolve("PG_16_202307071/16384/24576")).hasContent("table");
    }

    /** A file with another name (a cp -al copy, pg_upgrade --link) is patched as a file of its own: the other name keeps its content. */
    @Test
    void aHardLinkedFileIsPatchedWithoutChangingItsOtherName() throws Exception {
        Path source = TreeFixture.create(dir.resolve("src"), 3, 50_000, 21);
        Repository repo = repo();
        Snapshot s = new DirectoryBackup(repo, Clock.systemUTC(), 2).run(source, "config", List.of(), Progress.NONE);
        Path target = dir.resolve("target");
        new DirectoryRestore(repo).run(s, target, Progress.NONE);
        Path file = target.resolve("data/part-1.bin");
        Files.write(file, new byte[] {9, 9, 9});
        Path otherName = dir.resolve("snapshot-of-yesterday.bin");
        Files.createLink(otherName, file);
        Path unchanged = target.resolve("data/part-2.log");
        Files.createLink(dir.resolve("unchanged-link.bin"), unchanged);

        new DeltaRestore(repo).run(s, target, Progress.NONE);
        assertThat(file).hasSameBinaryContentAs(source.resolve("data/part-1.bin"));
        assertThat(Files.readAllBytes(otherName)).containsExactly(9, 9, 9);
        assertThat(Files.getAttribute(unchanged, "unix:nlink")).as("an unchanged file keeps its links: no copy").isEqualTo(2);
    }

    @Test
    void anUnchangedCopyFetchesNothing() {
        Path source = TreeFixture.create(dir.resolve("src"), 4, 300_000, 12);
        Repository repo = repo();
        Snapshot s = new DirectoryBackup(repo, Clock.systemUTC(), 2).run(source, "config", List.of(), Progress.NONE);
        Path target = dir.resolve("target");
        new DirectoryRestore(repo).run(s, target, Progress.NONE);
        DeltaRestore.Result r = new DeltaRestore(repo).run(s, target, Progress.NONE);
        assertThat(r.fetchedBytes()).isZero();
        assertThat(r.removed()).isZero();
        assertThat(TreeFixture.describe(target)).isEqualTo(TreeFixture.describe(source));
    }

    @Test
    void aDamagedChunkInTheRepositoryIsNeverWrittenIntoTheTarget() throws Exception {
        Path source = TreeFixture.create(dir.resolve("src"), 2, 200_000, 13);
        Repository repo = repo();
        Snapshot s = new DirectoryBackup(repo, Clock.systemUTC(), 1).run(source, "config", List.of(), Progress.NONE);
        Path target = dir.resolve("target");
        new DirectoryRestore(repo).run(s, target, Progress.NONE);
        byte[] drifted = new byte[200_000];
        Files.write(target.resolve("data/part-1.bin"), drifted);
        // Damage the stored copy of that file's first chunk only: the tree itself still reads.
        String first = FileContent.find(repo, s, "data/part-1.bin").orElseThrow().chunks().get(0);
        var where = repo.index().find(dev.lifeboat.repository.chunk.ChunkId.parse(first)).orElseThrow();
        FilesystemObjectStore store = (FilesystemObjectStore) repo.store();
        Path packFile = store.root().resolve(dev.lifeboat.repository.pack.PackNames.packObject(where.pack()));
        byte[] bytes = Files.readAllBytes(packFile);
        bytes[where.offset() + where.length() / 2] ^= 0x40;
        Files.write(packFile, bytes);
        LifeboatException e = catchThrowableOfType(LifeboatException.class,
                () -> new DeltaRestore(Repository.open(store, DirectoryBackupTest.SECRET)).run(s, target, Progress.NONE));
        assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT);
        // Nothing unauthenticated was written: the damaged chunk's range still holds what it held; every other range
        // holds either the old bytes or the snapshot's (chunks are patched in parallel, some may have landed).
        byte[] now = Files.readAllBytes(target.resolve("data/part-1.bin"));
        byte[] want = Files.readAllBytes(source.resolve("data/part-1.bin"));
        int firstLength = where.plainLength();
        assertThat(java.util.Arrays.equals(now, 0, firstLength, drifted, 0, firstLength)).as("damaged chunk's range untouched").isTrue();
        int at = firstLength;
        List<String> chunks = FileContent.find(repo, s, "data/part-1.bin").orElseThrow().chunks();
        assertThat(chunks).hasSizeGreaterThan(1);
        for (String hex : chunks.subList(1, chunks.size())) {
            int len = repo.index().find(dev.lifeboat.repository.chunk.ChunkId.parse(hex)).orElseThrow().plainLength();
            boolean old = java.util.Arrays.equals(now, at, at + len, drifted, at, at + len);
            boolean fresh = java.util.Arrays.equals(now, at, at + len, want, at, at + len);
            assertThat(old || fresh).as("range at " + at + " is old or new content").isTrue();
            at += len;
        }
    }
}
