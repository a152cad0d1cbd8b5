package dev.lifeboat.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.repository.chunk.ChunkId;
import dev.lifeboat.repository.check.RepositoryVerifier;
import dev.lifeboat.repository.check.VerifyReport;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.pack.BlobType;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import dev.lifeboat.repository.store.ObjectStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup abandoned midway (its process killed) has indexed what it stored up to its last checkpoint; the next
 * backup of the same data stores only the rest, and the repository verifies throughout.
 */
class BlobSinkCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void anAbandonedBackupIsResumedFromItsLastCheckpoint() throws Exception {
        ObjectStore store = new FilesystemObjectStore(dir);
        Repository repo = Repository.init(store, RepositoryTest.SECRET, RepositoryTest.FAST.withPackSize(1 << 20));
        List<byte[]> blobs = new ArrayList<>();
        Random r = new Random(7);
        for (int i = 0; i < 160; i++) { // 10 MiB that does not compress: ten 1 MiB packs
            byte[] b = new byte[64 * 1024];
            r.nextBytes(b);
            blobs.add(b);
        }

        BlobSink abandoned = new BlobSink(repo, 3L << 20, java.time.Duration.ZERO); // a checkpoint every 3 MiB of packs
        for (byte[] b : blobs) {
            abandoned.add(BlobType.DATA, b);
        }
        // No finish(): the process dies here. Let the uploads already handed over land first.
        long packs;
        do {
            packs = abandoned.stats().packs();
            Thread.sleep(300);
        } while (abandoned.stats().packs() != packs);
        assertThat(abandoned.checkpoints()).as("checkpoints written").isGreaterThanOrEqualTo(2);

        Repository reopened = Repository.open(store, RepositoryTest.SECRET);
        int indexed = reopened.index().size();
        assertThat(indexed).as("blobs a checkpoint made visible").isPositive().isLessThan(blobs.size());
        VerifyReport midway = new RepositoryVerifier(reopened).run(true, Progress.NONE);
        assertThat(midway.problems()).isEmpty();

        BlobSink resumed = reopened.newSink();
        List<ChunkId> ids = new ArrayList<>();
        for (byte[] b : blobs) {
            ids.add(resumed.add(BlobType.DATA, b));
        }
        BlobSink.Stats stats = resumed.finish();
        assertThat(stats.newChunks()).as("only what no checkpoint indexed is stored again").isEqualTo(blobs.size() - indexed);

        Repository after = Repository.open(store, RepositoryTest.SECRET);
        for (int i = 0; i < blobs.size(); i++) {
            assertThat(Arrays.equals(after.readBlob(ids.get(i)), blobs.get(i))).as("blob %d", i).isTrue();
        }
        assertThat(new RepositoryVerifier(after).run(true, Progress.NONE).problems()).isEmpty();
    }

    @Test
    void aBackupWhosePackCannotBeStoredStopsAtOnceInsteadOfReadingOn() {
        dev.lifeboat.repository.store.SwitchableStore store = new dev.lifeboat.repository.store.SwitchableStore(new FilesystemObjectStore(dir));
        Repository repo = Repository.init(store, RepositoryTest.SECRET, RepositoryTest.FAST.withPackSize(256 << 10));
        BlobSink sink = repo.newSink();
        store.down(); // the first pack's upload fails (after the store's own retries, in real life)
        byte[] b = new byte[64 * 1024];
        Random r = new Random(3);
        RuntimeException stopped = null;
        int added = 0;
        for (; added < 2000 && stopped == null; added++) {
            r.nextBytes(b);
            try {
                sink.add(BlobType.DATA, b);
            } catch (RuntimeException e) {
                stopped = e;
            }
            if (added % 8 == 7) {
                Thread.yield();
            }
        }
        assertThat(stopped).as("add() reports the failed upload").isInstanceOf(dev.lifeboat.repository.store.StoreException.class);
        assertThat(stopped.getMessage()).contains("unreachable");
        assertThat(added).as("stopped long before the end").isLessThan(2000);
        sink.abort();
    }
}
