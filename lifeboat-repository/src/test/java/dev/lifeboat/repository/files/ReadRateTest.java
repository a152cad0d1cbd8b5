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

    @Test
    void aLargeListingIsSampledInPlacesSpreadOverIt() throws Exception {
        Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")), DirectoryBackupTest.SECRET,
                RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()).withPackSize(64 << 10));
        // A listing cut into 512-byte tree blobs, so entries (about 1 KiB each) span several blobs, as a terabyte's
        // listing is cut into a thousand.
        dev.lifeboat.repository.BlobSink sink = repo.newSink();
        java.util.Random random = new java.util.Random(5);
        List<String> treeIds;
        try (TreeWriter tree = new TreeWriter(sink, new dev.lifeboat.repository.chunk.FixedChunker(512), 2, Progress.NONE, 0)) {
            for (int f = 0; f < 150; f++) {
                tree.file("f" + f, TreeFixture.bytes(random, 8192), 0600, 0, null, null);
            }
            treeIds = tree.finish();
            sink.finish();
        }
        dev.lifeboat.repository.SnapshotManifest m = new dev.lifeboat.repository.SnapshotManifest(dev.lifeboat.repository.SnapshotManifest.FORMAT,
                "2026-11-24T00:00:00Z", "2026-11-24T00:00:01Z", "host", "directory", "data", "/src", List.of(), "fixed-512", treeIds,
                new dev.lifeboat.repository.SnapshotManifest.Stats(150, 0, 150 * 8192, 150 * 8192, 0, 150 * 16, 150 * 16, 1000), java.util.Map.of());
        Snapshot s = repo.snapshots().save(m);
        assertThat(treeIds.size()).isGreaterThan(2 * ReadRate.TREE_SAMPLES);

        List<TreeEntry> all = new java.util.ArrayList<>();
        TreeReader.forEach(repo, s, all::add);
        assertThat(all).hasSize(150);
        assertThat(TreeReader.sample(repo, s, repo.index(), 0, 8).get(0)).isEqualTo(all.get(0));
        for (int from : new int[] {1, treeIds.size() / 3, treeIds.size() / 2, treeIds.size() - 3}) {
            List<TreeEntry> some = TreeReader.sample(repo, s, repo.index(), from, 8);
            assertThat(some).as("whole entries near blob " + from).isNotEmpty();
            int at = all.indexOf(some.get(0));
            assertThat(at).as("entries the listing holds").isNotNegative();
            assertThat(all.subList(at, at + some.size())).as("in listing order, none cut").isEqualTo(some);
            assertThat(at).as("near its place in the listing").isBetween((int) ((long) (from - 3) * 150 / treeIds.size()),
                    (int) ((long) (from + 3) * 150 / treeIds.size()) + 1);
        }
        assertThat(TreeReader.sample(repo, s, repo.index(), treeIds.size() / 2, 1)).as("one blob holds no whole entry").isEmpty();

        // The packs found come from all over the snapshot, not only its start.
        java.util.Set<String> packs = new java.util.LinkedHashSet<>(ReadRate.probe(repo, s, repo.index(), 1));
        java.util.Map<String, Integer> firstUse = new java.util.HashMap<>();
        for (int e = 0; e < all.size(); e++) {
            for (String id : all.get(e).chunks()) {
                firstUse.putIfAbsent(repo.index().find(dev.lifeboat.repository.chunk.ChunkId.parse(id)).orElseThrow().pack(), e);
            }
        }
        assertThat(packs).hasSizeGreaterThan(4).allMatch(firstUse::containsKey);
        assertThat(packs.stream().mapToInt(firstUse::get).max().getAsInt()).isGreaterThan(100);
        assertThat(ReadRate.measure(repo, s, 2)).isPresent();
    }
}
