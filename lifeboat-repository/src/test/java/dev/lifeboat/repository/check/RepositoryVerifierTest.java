package dev.lifeboat.repository.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.repository.RepoFixture;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.chunk.ChunkId;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.files.TreeFixture;
import dev.lifeboat.repository.pack.PackNames;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryVerifierTest {
    @TempDir
    Path dir;
    RepoFixture fx;
    Snapshot shared;
    Snapshot other;

    @BeforeEach
    void twoSnapshots() throws Exception {
        fx = new RepoFixture(dir.resolve("repo"));
        Path a = TreeFixture.create(dir.resolve("a"), 6, 400_000, 1);
        shared = fx.backup(a, "a");
        Path b = Files.createDirectories(dir.resolve("b"));
        Files.writeString(b.resolve("only-b.txt"), "b's own small file\n");
        other = fx.backup(b, "b");
    }

    @Test
    void intactRepositoryVerifiesQuickAndDeep() {
        VerifyReport quick = new RepositoryVerifier(fx.reopen()).run(false, Progress.NONE);
        VerifyReport deep = new RepositoryVerifier(fx.repo).run(true, Progress.NONE);
        assertThat(quick.problems()).isEmpty();
        assertThat(deep.problems()).isEmpty();
        assertThat(deep.snapshots()).isEqualTo(2);
        assertThat(deep.bytesRead()).isGreaterThan(quick.bytesRead());
    }

    @Test
    void flippedByteInAPackIsNamedWithTheSnapshotsItAffects() {
        // The first data chunk of snapshot a: find its pack and damage that chunk's bytes.
        ChunkId chunk = firstFileChunk(shared);
        var where = fx.repo.index().find(chunk).orElseThrow();
        String pack = PackNames.packObject(where.pack());
        fx.flip(pack, (where.offset() + where.length() / 2.0) / fx.store.stat(pack).orElseThrow().size());

        VerifyReport deep = new RepositoryVerifier(fx.reopen()).run(true, Progress.NONE);
        assertThat(deep.ok()).isFalse();
        Finding f = deep.problems().stream().filter(p -> p.object().equals(pack)).findFirst().orElseThrow();
        assertThat(f.problem()).contains("pack is damaged", "content does not match its name", "1 of");
        assertThat(f.snapshots()).containsExactly(shared.shortId());
    }

    @Test
    void missingPackIsFoundByTheQuickCheck() throws Exception {
        ChunkId chunk = firstFileChunk(shared);
        String pack = PackNames.packObject(fx.repo.index().find(chunk).orElseThrow().pack());
        Files.delete(fx.store.root().resolve(pack));
        VerifyReport quick = new RepositoryVerifier(fx.reopen()).run(false, Progress.NONE);
        Finding f = quick.problems().stream().filter(p -> p.object().equals(pack)).findFirst().orElseThrow();
        assertThat(f.problem()).startsWith("pack is missing");
        assertThat(f.snapshots()).contains(shared.shortId());
    }

    @Test
    void damagedSnapshotManifestIsReported() {
        fx.flip(other.objectName(), 0.5);
        VerifyReport quick = new RepositoryVerifier(fx.reopen()).run(false, Progress.NONE);
        assertThat(quick.problems()).singleElement().satisfies(f -> {
            assertThat(f.object()).isEqualTo(other.objectName());
            assertThat(f.problem()).contains("is damaged");
            assertThat(f.snapshots()).containsExactly(other.shortId());
        });
    }

    @Test
    void packsOfAnInterruptedBackupAreANoteNotAProblem() throws Exception {
        Files.createDirectories(fx.store.root().resolve("data/ff"));
        byte[] junk = "half a backup".getBytes();
        fx.store.put(PackNames.packObject(PackNames.sha256(junk)), junk);
        VerifyReport deep = new RepositoryVerifier(fx.reopen()).run(true, Progress.NONE);
        assertThat(deep.ok()).isTrue();
        assertThat(deep.notes()).anyMatch(n -> n.contains("1 pack(s) are in no index"));
    }

    private ChunkId firstFileChunk(Snapshot s) {
        ChunkId[] first = new ChunkId[1];
        dev.lifeboat.repository.files.TreeReader.forEach(fx.repo, s, e -> {
            if (first[0] == null && e.chunks() != null && !e.chunks().isEmpty() && e.path().endsWith(".bin")) {
                first[0] = ChunkId.parse(e.chunks().get(0));
            }
        });
        return first[0];
    }
}
