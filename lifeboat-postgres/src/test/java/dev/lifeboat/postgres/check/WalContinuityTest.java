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
        return new Snapshot(id + "0".repeat(56), new SnapshotManifest(1, "2026-11-24T00:00:00Z", "2026-11-24T00:01:00Z", "h", "postgres", "app-db", "/d",
                List.of(), "fixed/65536", List.of(), new SnapshotManifest.Stats(0, 0, 0, 0, 0, 0, 0, 0),
                Map.of("start_lsn", startLsn, "timeline", "1", "wal_segment_size", Long.toString(MIB16))));
    }

    @Test
    void aMissingRangeIsNamedWithTheBackupsItBreaks() {
        Repository repo = Repository.init(new FilesystemObjectStore(dir), Optional.empty(),
                RepositoryOptions.defaults().withEncryption(false).withKdf(KdfParams.argon2idForTests()));
        WalArchive archive = new WalArchive(repo, "app-db");
        for (int n = 3; n <= 10; n++) {
            if (n != 6 && n != 7) {
                archive.putSegment(new WalSegment(1, n, MIB16), new byte[(int) MIB16]);
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

        archive.putSegment(new WalSegment(1, 6, MIB16), new byte[(int) MIB16]);
        archive.putSegment(new WalSegment(1, 7, MIB16), new byte[(int) MIB16]);
        WalContinuity.Report fixed = WalContinuity.check(archive, List.of(backup("aaaaaaaa", "0/3000028")), Instant.now());
        assertThat(fixed.ok()).isTrue();
        assertThat(fixed.recoverableTo()).contains(Lsn.parse("0/B000000"));
    }

    @Test
    void aMissingSegmentBeforeTheFillingOneIsAGapToo() {
        Repository repo = Repository.init(new FilesystemObjectStore(dir), Optional.empty(),
                RepositoryOptions.defaults().withEncryption(false).withKdf(KdfParams.argon2idForTests()));
        WalArchive archive = new WalArchive(repo, "app-db");
        archive.putSegment(new WalSegment(1, 2, MIB16), new byte[(int) MIB16]);
        archive.putPartial(new WalSegment(1, 4, MIB16), new byte[100], 100);
        // The backup starts in segment 3, which is gone; 4 is being filled.
        WalContinuity.Report r = WalContinuity.check(archive, List.of(backup("cccccccc", "0/3000028")), Instant.now());
        assertThat(r.gaps()).singleElement().satisfies(g -> assertThat(g.describe()).isEqualTo("WAL segment 000000010000000000000003 is missing"));
        assertThat(r.newest()).contains("000000010000000000000004");
    }
}
