package dev.lifeboat.postgres.wal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The segment being filled, stored as pieces: joined in order, overlaps taken once, a gap ends it. */
class WalArchivePiecesTest {
    @TempDir
    Path dir;

    @Test
    void piecesJoinIntoThePrefixTheReceiverStored() {
        Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")), Optional.of(new Credentials.Passphrase("w".toCharArray())),
                RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
        WalArchive archive = new WalArchive(repo, "app-db");
        WalSegment seg = new WalSegment(1, 7, WalSegment.DEFAULT_SIZE);
        byte[] wal = new byte[300_000];
        new Random(1).nextBytes(wal);

        assertThat(archive.partial(seg)).isEmpty();
        archive.putPartialPiece(seg, wal, 0, 1000);
        archive.putPartialPiece(seg, wal, 1000, 5000);
        assertThat(archive.partial(seg)).hasValueSatisfying(p -> assertThat(p).isEqualTo(java.util.Arrays.copyOf(wal, 5000)));
        // A restarted receiver sends again from an earlier point: the overlap is the same WAL, taken once.
        archive.putPartialPiece(seg, wal, 4000, 9000);
        assertThat(archive.partial(seg)).hasValueSatisfying(p -> assertThat(p).isEqualTo(java.util.Arrays.copyOf(wal, 9000)));
        // A piece after a gap is not usable: the partial ends where the WAL stops being contiguous.
        archive.putPartialPiece(seg, wal, 20_000, 30_000);
        assertThat(archive.partial(seg)).hasValueSatisfying(p -> assertThat(p).hasSize(9000));
        assertThat(archive.partials(WalSegment.DEFAULT_SIZE)).containsExactly(seg);
        assertThat(archive.objects(WalSegment.DEFAULT_SIZE)).allMatch(a -> a.segment().equals(Optional.of(seg)));

        byte[] whole = new byte[(int) WalSegment.DEFAULT_SIZE];
        System.arraycopy(wal, 0, whole, 0, wal.length);
        WalPageHeader.write(seg, TestSegments.SYSTEM, whole);
        archive.putSegment(seg, whole);
        assertThat(archive.partial(seg)).as("the whole segment replaces its pieces").isEmpty();
        assertThat(archive.segments(WalSegment.DEFAULT_SIZE)).containsExactly(seg);
    }
}
