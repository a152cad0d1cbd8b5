package dev.lifeboat.postgres.wal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import dev.lifeboat.repository.store.ObjectStore;
import dev.lifeboat.repository.store.ObjectStoreDelegate;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * restore_command reading a partial segment while the agent completes it: the pieces it listed are deleted under
 * it once the whole segment is stored. It then serves the whole segment; it used to take the vanished pieces as
 * empty and serve a segment cut short (or nothing), ending recovery before WAL the repository held.
 */
class PartialReadRaceTest {
    @TempDir
    Path dir;

    @Test
    void aSegmentCompletedWhileItsPiecesAreReadIsServedWhole() {
        FilesystemObjectStore disk = new FilesystemObjectStore(dir.resolve("repo"));
        Repository.init(disk, Optional.empty(), RepositoryOptions.defaults().withEncryption(false).withKdf(KdfParams.argon2idForTests()));
        WalSegment seg = WalSegment.of(1, Lsn.parse("0/3000000"), WalSegment.DEFAULT_SIZE);
        byte[] whole = TestSegments.of(seg);
        whole[100_000] = 42;
        WalArchive agent = new WalArchive(Repository.open(disk, Optional.empty()), "app-db");
        agent.putPartialPiece(seg, whole, 0, 8192);
        agent.putPartialPiece(seg, whole, 8192, 65_536);

        // The reader's store: the first read of a piece finds the agent has just stored the whole segment.
        boolean[] completed = {false};
        ObjectStore racing = new Racing(disk, () -> {
            if (!completed[0]) {
                completed[0] = true;
                agent.putSegment(seg, whole);
            }
        });
        WalArchive reader = new WalArchive(Repository.open(racing, Optional.empty()), "app-db");
        assertThat(reader.partial(seg)).hasValueSatisfying(b -> assertThat(b).isEqualTo(whole));
        assertThat(completed[0]).as("the race happened").isTrue();
    }

    /** Runs {@code beforePieceRead} before each read of a partial segment's piece. */
    private static final class Racing extends ObjectStoreDelegate {
        private final Runnable beforePieceRead;

        Racing(ObjectStore inner, Runnable beforePieceRead) {
            super(inner);
            this.beforePieceRead = beforePieceRead;
        }

        @Override
        public byte[] get(String name) {
            if (name.contains(".partial.")) {
                beforePieceRead.run();
            }
            return super.get(name);
        }
    }
}
