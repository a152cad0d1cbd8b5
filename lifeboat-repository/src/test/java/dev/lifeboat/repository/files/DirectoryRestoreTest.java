package dev.lifeboat.repository.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.BlobSink;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.SnapshotManifest;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a restore refuses to do whatever the tree says: write through a link it made, or put a link where a subtree goes elsewhere. */
class DirectoryRestoreTest {
    @TempDir
    Path dir;

    /** A snapshot of a tree made by hand: a link "a" (to {@code linkTarget}) and a file "a/planted" below it, or only the link. */
    private Snapshot crafted(Repository repo, Path linkTarget, boolean fileBelow) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.createSymbolicLink(src.resolve("a"), linkTarget);
        BlobSink sink = repo.newSink();
        List<String> ids;
        try (TreeWriter tree = new TreeWriter(sink, repo.fileChunker(), 1, Progress.NONE, 0)) {
            tree.directory("", src);
            tree.symlink("a", src.resolve("a"));
            if (fileBelow) {
                tree.file("a/planted", "owned".getBytes(StandardCharsets.UTF_8), 0600, 0, null, null);
            }
            ids = tree.finish();
            sink.finish();
        }
        return repo.snapshots().save(new SnapshotManifest(SnapshotManifest.FORMAT, "2026-11-24T00:00:00Z", "2026-11-24T00:00:01Z", "h",
                "directory", "crafted", src.toString(), List.of(), "fastcdc", ids, new SnapshotManifest.Stats(1, 1, 5, 5, 0, 1, 1, 1), Map.of()));
    }

    private Repository repo() {
        return Repository.init(new FilesystemObjectStore(dir.resolve("repo")), DirectoryBackupTest.SECRET,
                RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
    }

    /** Full and delta restores alike: an entry below a link the tree itself made is refused, and nothing lands there. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void anEntryBelowALinkTheRestoreMadeIsRefusedAndNothingIsWrittenThere(boolean delta) throws Exception {
        Repository repo = repo();
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Snapshot s = crafted(repo, outside, true);
        Path target = dir.resolve("target");
        LifeboatException e = catchThrowableOfType(LifeboatException.class, () -> {
            if (delta) {
                new DeltaRestore(repo).run(s, Files.createDirectories(target), Progress.NONE);
            } else {
                new DirectoryRestore(repo).run(s, target, Progress.NONE);
            }
        });
        assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT);
        assertThat(e.getMessage()).contains("'a/planted' lies below the symbolic link");
        assertThat(outside.resolve("planted")).doesNotExist();
    }

    @Test
    void aRestoreThatFailsHalfWayLeavesItsTargetClosedToOthers() throws Exception {
        Repository repo = repo();
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Snapshot s = crafted(repo, outside, true);
        Path target = Files.createDirectories(dir.resolve("target"));
        Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        catchThrowableOfType(LifeboatException.class, () -> new DirectoryRestore(repo).run(s, target, Progress.NONE));
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rwx------");
    }

    @Test
    void aSecondRestoreIntoTheSameDirectoryIsRefusedWhileTheFirstWrites() throws Exception {
        Repository repo = repo();
        Path src = TreeFixture.create(dir.resolve("src3"), 3, 10_000, 4);
        Snapshot s = new DirectoryBackup(repo, java.time.Clock.systemUTC(), 1).run(src, "x", List.of(), Progress.NONE);
        Path target = Files.createDirectories(dir.resolve("target"));
        // The first restore's lock, held as a running restore holds it (in another process the kernel refuses alike).
        RestoreLock first = RestoreLock.take(target);
        try {
            LifeboatException e = catchThrowableOfType(LifeboatException.class, () -> new DeltaRestore(repo).run(s, target, Progress.NONE));
            assertThat(e.code()).isEqualTo(ErrorCode.TARGET_IN_USE);
            assertThat(e.getMessage()).contains("another restore is writing into " + target);
        } finally {
            first.release();
        }
        new DirectoryRestore(repo).run(s, target, Progress.NONE);
        assertThat(target.resolve(RestoreLock.NAME)).as("nothing of the lock is left in the restored tree").doesNotExist();
        assertThat(TreeFixture.describe(target)).isEqualTo(TreeFixture.describe(src));
        new DeltaRestore(repo).run(s, target, Progress.NONE);
        assertThat(target.resolve(RestoreLock.NAME)).doesNotExist();
    }

    @Test
    void aLinkWhereASubtreeGoesElsewhereIsRefused() throws Exception {
        Repository repo = repo();
        Snapshot s = crafted(repo, Path.of("/etc"), false);
        Path away = dir.resolve("away");
        LifeboatException e = catchThrowableOfType(LifeboatException.class,
                () -> new DirectoryRestore(repo).elsewhere(Map.of("a", away)).run(s, dir.resolve("target"), Progress.NONE));
        assertThat(e.getMessage()).contains("'a' is a symbolic link in a, which is restored to " + away);
        assertThat(Files.isSymbolicLink(away)).isFalse();
    }

    @Test
    void aSubtreeSentElsewhereLandsThere() throws Exception {
        Repository repo = repo();
        Path src = TreeFixture.create(dir.resolve("src2"), 3, 10_000, 4);
        Files.createDirectories(src.resolve("sub"));
        Files.writeString(src.resolve("sub/inside.txt"), "moved");
        Snapshot s = new DirectoryBackup(repo, java.time.Clock.systemUTC(), 1).run(src, "x", List.of(), Progress.NONE);
        Path away = dir.resolve("away");
        new DirectoryRestore(repo).elsewhere(Map.of("sub", away)).run(s, dir.resolve("t"), Progress.NONE);
        assertThat(Files.readString(away.resolve("inside.txt"))).isEqualTo("moved");
        assertThat(dir.resolve("t/sub")).doesNotExist();
    }
}
