package dev.lifeboat.postgres.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the archive refuses to store: files that are not the named segment, another system's WAL, a stored segment replaced. */
class WalArchiveGuardTest {
    @TempDir
    Path dir;

    private WalArchive archive() {
        Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")), Optional.empty(),
                RepositoryOptions.defaults().withEncryption(false).withKdf(KdfParams.argon2idForTests()));
        return new WalArchive(repo, "app-db");
    }

    /** A page of {@code segment} written on timeline {@code tli} at {@code offset}: magic, info, timeline, its own address. */
    private static void page(WalSegment segment, byte[] data, int offset, int tli) {
        java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort(offset, (short) 0xD10D).putInt(offset + 4, tli)
                .putLong(offset + 8, segment.start().value() + offset);
    }

    @Test
    void walOfALaterTimelineUnderAnEarlierOnesNameIsRefused() {
        WalArchive archive = archive();
        WalSegment tl1 = WalSegment.of(1, Lsn.parse("0/3000000"), WalSegment.DEFAULT_SIZE);
        byte[] data = TestSegments.of(tl1);
        page(tl1, data, 8192, 1);
        page(tl1, data, 3 * 8192, 2); // a promotion landed between IDENTIFY_SYSTEM and START_REPLICATION
        archive.putPartialPiece(tl1, data, 0, 2 * 8192); // pages of its own timeline
        assertThat(code(() -> archive.putPartialPiece(tl1, data, 2 * 8192, 4 * 8192))).isEqualTo(ErrorCode.WAL_INVALID);
        assertThat(code(() -> archive.putSegment(tl1, data))).isEqualTo(ErrorCode.WAL_INVALID);
        // A new timeline's first segment holds its parent's pages up to the switch: normal.
        WalSegment tl2 = WalSegment.of(2, Lsn.parse("0/4000000"), WalSegment.DEFAULT_SIZE);
        byte[] switched = TestSegments.of(tl2);
        page(tl2, switched, 8192, 1);
        page(tl2, switched, 2 * 8192, 2);
        archive.putSegment(tl2, switched);
        assertThat(archive.segment(tl2)).isEqualTo(switched);
    }

    @Test
    void aFileThatIsNotTheNamedSegmentIsRefused() {
        WalArchive archive = archive();
        WalSegment seg = new WalSegment(1, 5, WalSegment.DEFAULT_SIZE);
        assertThat(code(() -> archive.putSegment(seg, new byte[(int) WalSegment.DEFAULT_SIZE]))).isEqualTo(ErrorCode.WAL_INVALID);
        // A real segment under another segment's name (its first page says where it belongs).
        assertThat(code(() -> archive.putSegment(seg, TestSegments.of(seg.next())))).isEqualTo(ErrorCode.WAL_INVALID);
        // A segment of a cluster with 1 MiB segments stored as a 16 MiB one.
        WalSegment small = new WalSegment(1, 5, 1024 * 1024);
        assertThat(code(() -> archive.putSegment(seg, TestSegments.of(small)))).isEqualTo(ErrorCode.WAL_INVALID);
        assertThat(archive.segments(WalSegment.DEFAULT_SIZE)).isEmpty();
    }

    @Test
    void anotherSystemsWalIsRefusedAndNothingIsReplaced() {
        WalArchive archive = archive();
        WalSegment seg = new WalSegment(1, 5, WalSegment.DEFAULT_SIZE);
        byte[] original = TestSegments.of(seg);
        archive.putSegment(seg, original);
        archive.putSegment(seg, original.clone()); // the same bytes again (a restarted receiver, a retried archive_command)

        byte[] rebuilt = TestSegments.of(seg, 42);
        LifeboatException e = catchThrowableOfType(LifeboatException.class, () -> archive.putSegment(seg, rebuilt));
        assertThat(e.code()).isEqualTo(ErrorCode.WAL_CONFLICT);
        assertThat(e.getMessage()).contains("system " + TestSegments.SYSTEM, "system 42");
        assertThat(code(() -> archive.claim(42))).isEqualTo(ErrorCode.WAL_CONFLICT);

        byte[] changed = original.clone();
        changed[1_000_000] = 1;
        assertThat(code(() -> archive.putSegment(seg, changed))).as("different bytes under a stored name").isEqualTo(ErrorCode.WAL_CONFLICT);
        assertThat(archive.segment(seg)).isEqualTo(original);
        // A new archive object on the same repository (another process) knows the system too.
        assertThat(code(() -> new WalArchive(archiveRepo(), "app-db").claim(42))).isEqualTo(ErrorCode.WAL_CONFLICT);
        assertThat(archive.objects(WalSegment.DEFAULT_SIZE)).filteredOn(a -> a.segment().isPresent()).hasSize(1);
    }

    private Repository archiveRepo() {
        return Repository.open(new FilesystemObjectStore(dir.resolve("repo")), Optional.empty());
    }

    private static ErrorCode code(Runnable r) {
        LifeboatException e = catchThrowableOfType(LifeboatException.class, r::run);
        assertThat(e).as("refused").isNotNull();
        return e.code();
    }
}
