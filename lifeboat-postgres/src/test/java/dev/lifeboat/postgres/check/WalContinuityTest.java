package dev.lifeboat.postgres.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.postgres.wal.WalSegment;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.SnapshotManifest;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalContinuityTest {
    static final long MIB16 = WalSegment.DEFAULT_SIZE;

    @TempDir
    Path dir;

    static Snapshot backup(String id, String startLsn) {
        return backup(id, startLsn, 1);
    }

    static Snapshot backup(String id, String startLsn, int timeline) {
        return new Snapshot(id + "0".repeat(56), new SnapshotManifest(1, "2026-11-24T00:00:00Z", "2026-11-24T00:01:00Z", "h", "postgres", "app-db", "/d",
                List.of(), "fixed/65536", List.of(), new SnapshotManifest.Stats(0, 0, 0, 0, 0, 0, 0, 0),
                Map.of("start_lsn", startLsn, "timeline", Integer.toString(timeline), "wal_segment_size", Long.toString(MIB16))));
    }

    @Test
    void aMissingRangeIsNamedWithTheBackupsItBreaks() {
        Repository repo = Repository.init(new FilesystemObjectStore(dir), Optional.empty(),
                RepositoryOptions.defaults().withEncryption(false).withKdf(KdfParams.argon2idForTests()));
        WalArchive archive = new WalArchive(repo, "app-db");
        for (int n = 3; n <= 10; n++) {
            if (n != 6 && n != 7) {
                archive.putSegment(new WalSegment(1, n, MIB16), dev.lifeboat.postgres.wal.TestSegments.of(new WalSegment(1, n, MIB16)));
            }
        }
        WalContinuity.Report r = WalContinuity.check(archive, List.of(backup("aaaaaaaa", "0/3000028"), backup("bbbbbbbb", "0/5000028")), Instant.now());
        assertThat(r.ok()).isFalse();
        assertThat(r.gaps()).singleElement().satisfies(g -> {
            assertThat(g.first()).isEqualTo("000000010000000000000006");
            assertThat(g.last()).isEqualTo("000000010000000000000007");
            assertThat(g.segments()).isEqualTo(2);
            assertThat(g.backups()).containsExactly("aaaaaaaa", "bbbbbbbb");
            assertThat(g.describe()).isEqualTo("2 WAL segments 000000010000000000000006 .. 000000010000000000000007 are missing");
        });
        assertThat(r.recoverableTo()).contains(Lsn.parse("0/6000000"));
        assertThat(r.newest()).contains("00000001000000000000000A");
        assertThat(r.newestAge()).isPresent();

        archive.putSegment(new WalSegment(1, 6, MIB16), dev.lifeboat.postgres.wal.TestSegments.of(new WalSegment(1, 6, MIB16)));
        archive.putSegment(new WalSegment(1, 7, MIB16), dev.lifeboat.postgres.wal.TestSegments.of(new WalSegment(1, 7, MIB16)));
        WalContinuity.Report fixed = WalContinuity.check(archive, List.of(backup("aaaaaaaa", "0/3000028")), Instant.now());
        assertThat(fixed.ok()).isTrue();
        assertThat(fixed.recoverableTo()).contains(Lsn.parse("0/B000000"));
    }

    @Test
    void aMissingSegmentBeforeTheFillingOneIsAGapToo() {
        Repository repo = Repository.init(new FilesystemObjectStore(dir), Optional.empty(),
                RepositoryOptions.defaults().withEncryption(false).withKdf(KdfParams.argon2idForTests()));
        WalArchive archive = new WalArchive(repo, "app-db");
        archive.putSegment(new WalSegment(1, 2, MIB16), dev.lifeboat.postgres.wal.TestSegments.of(new WalSegment(1, 2, MIB16)));
        archive.putPartial(new WalSegment(1, 4, MIB16), new byte[100], 100);
        // The backup starts in segment 3, which is gone; 4 is being filled.
        WalContinuity.Report r = WalContinuity.check(archive, List.of(backup("cccccccc", "0/3000028")), Instant.now());
        assertThat(r.gaps()).singleElement().satisfies(g -> assertThat(g.describe()).isEqualTo("WAL segment 000000010000000000000003 is missing"));
        assertThat(r.newest()).contains("000000010000000000000004");
    }

    private WalArchive archive() {
        Repository repo = Repository.init(new FilesystemObjectStore(dir), Optional.empty(),
                RepositoryOptions.defaults().withEncryption(false).withKdf(KdfParams.argon2idForTests()));
        return new WalArchive(repo, "app-db");
    }

    private static void whole(WalArchive archive, int timeline, long n) {
        WalSegment s = new WalSegment(timeline, n, MIB16);
        archive.putSegment(s, dev.lifeboat.postgres.wal.TestSegments.of(s));
    }

    @Test
    void aPartialSegmentFollowedByLaterOnesIsAGap() {
        // The slot was replaced while segment 4 filled; streaming went on from segment 5.
        WalArchive archive = archive();
        whole(archive, 1, 3);
        archive.putPartial(new WalSegment(1, 4, MIB16), new byte[100], 100);
        whole(archive, 1, 5);
        whole(archive, 1, 6);
        WalContinuity.Report r = WalContinuity.check(archive, List.of(backup("dddddddd", "0/3000028")), Instant.now());
        assertThat(r.gaps()).singleElement().satisfies(g -> assertThat(g.first()).isEqualTo("000000010000000000000004"));
        assertThat(r.recoverableTo()).contains(Lsn.parse("0/4000000"));
    }

    @Test
    void anAncestorsCopyPastTheSwitchDoesNotFillTheNewTimelinesGap() {
        // Timeline 2 branched off in segment 6; timeline 1 went on to segment 9 (a PITR fork, or the old primary
        // writing on). Timeline 2 lacks segment 8: replay along timeline 2 cannot take timeline 1's.
        WalArchive archive = archive();
        for (long n = 3; n <= 9; n++) {
            whole(archive, 1, n);
        }
        archive.putHistory(2, "1\t0/6000100\tbefore 2026-11-24 10:00:00+00\n");
        whole(archive, 2, 6);
        whole(archive, 2, 7);
        whole(archive, 2, 9);
        WalContinuity.Report r = WalContinuity.check(archive, List.of(backup("eeeeeeee", "0/3000028")), Instant.now());
        assertThat(r.gaps()).singleElement().satisfies(g -> {
            assertThat(g.first()).isEqualTo("000000010000000000000008");
            assertThat(g.segments()).isEqualTo(1);
        });
        assertThat(r.recoverableTo()).contains(Lsn.parse("0/8000000"));
        assertThat(dev.lifeboat.postgres.wal.WalChain.of(archive, MIB16).from(3)).extracting(l -> l.segment().fileName()).containsExactly(
                "000000010000000000000003", "000000010000000000000004", "000000010000000000000005", "000000020000000000000006",
                "000000020000000000000007");
    }

    @Test
    void aBackupOnTheAbandonedTimelineIsNamedAndNotCountedAsRecoverable() {
        // Timeline 2 branched off in segment 6. Backup B was taken on timeline 1 in segment 8, after the branch:
        // recovery along timeline 2 refuses it, so the quick check must not call it recoverable.
        WalArchive archive = archive();
        for (long n = 3; n <= 9; n++) {
            whole(archive, 1, n);
        }
        archive.putHistory(2, "1\t0/6000100\tbefore 2026-11-24 10:00:00+00\n");
        for (long n = 6; n <= 9; n++) {
            whole(archive, 2, n);
        }
        WalContinuity.Report onlyAbandoned = WalContinuity.check(archive, List.of(backup("ffffffff", "0/8000028")), Instant.now());
        assertThat(onlyAbandoned.offHistory()).containsExactly("ffffffff");
        assertThat(onlyAbandoned.recoverableTo()).isEmpty();
        assertThat(onlyAbandoned.ok()).isFalse();

        WalContinuity.Report both = WalContinuity.check(archive, List.of(backup("aaaaaaaa", "0/3000028"), backup("ffffffff", "0/8000028")),
                Instant.now());
        assertThat(both.offHistory()).containsExactly("ffffffff");
        assertThat(both.ok()).isTrue();
        assertThat(both.recoverableTo()).contains(Lsn.parse("0/A000000"));
        assertThat(both.timeline()).isEqualTo(2);
    }
}
