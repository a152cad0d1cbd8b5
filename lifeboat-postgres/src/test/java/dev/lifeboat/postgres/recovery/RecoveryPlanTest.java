package dev.lifeboat.postgres.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.postgres.wal.TestSegments;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which backup a recovery starts from, and which targets it refuses before fetching anything. */
class RecoveryPlanTest {
    private static final long MIB16 = WalSegment.DEFAULT_SIZE;

    @TempDir
    Path dir;
    private Repository repo;
    private WalArchive archive;

    @BeforeEach
    void repository() {
        repo = Repository.init(new FilesystemObjectStore(dir), Optional.empty(),
                RepositoryOptions.defaults().withEncryption(false).withKdf(KdfParams.argon2idForTests()));
        archive = new WalArchive(repo, "app-db");
    }

    private Snapshot backup(int timeline, String start, String stop, String ended) {
        return repo.snapshots().save(new SnapshotManifest(1, ended, ended, "h", "postgres", "app-db", "/d", List.of(), "fixed/65536", List.of(),
                new SnapshotManifest.Stats(0, 0, 0, 0, 0, 0, 0, 0),
                Map.of("start_lsn", start, "stop_lsn", stop, "timeline", Integer.toString(timeline), "wal_segment_size", Long.toString(MIB16))));
    }

    private void whole(int timeline, long n) {
        WalSegment s = new WalSegment(timeline, n, MIB16);
        archive.putSegment(s, TestSegments.of(s));
    }

    @Test
    void aTransactionTargetStartsFromTheOldestBackupWhoseWalReachesTheEnd() {
        // Segment 5 is missing (a slot was invalidated); a backup taken after the gap reaches the end, the older one does not.
        Snapshot before = backup(1, "0/3000028", "0/3000100", "2026-11-24T10:00:00Z");
        Snapshot after = backup(1, "0/7000028", "0/7000100", "2026-11-24T11:00:00Z");
        for (long n : new long[] {3, 4, 6, 7, 8, 9}) {
            whole(1, n);
        }
        PostgresRecovery recovery = new PostgresRecovery(repo, "app-db");
        assertThat(recovery.plan(Optional.empty(), RecoveryTarget.atXid("1234")).backup().id()).isEqualTo(after.id());
        whole(1, 5);
        assertThat(recovery.plan(Optional.empty(), RecoveryTarget.atXid("1234")).backup().id()).as("once the gap is filled")
                .isEqualTo(before.id());
    }

    @Test
    void aBackupOfTheOldTimelineTakenAfterTheForkIsNotUsed() {
        // Timeline 2 branched off in segment 6; the old primary went on writing timeline 1 and was backed up in segment 8.
        Snapshot early = backup(1, "0/3000028", "0/3000100", "2026-11-24T10:00:00Z");
        Snapshot late = backup(1, "0/8000028", "0/8000100", "2026-11-24T12:00:00Z");
        for (long n = 3; n <= 9; n++) {
            whole(1, n);
        }
        archive.putHistory(2, "1\t0/6000100\tno recovery target specified\n");
        for (long n = 6; n <= 9; n++) {
            whole(2, n);
        }
        PostgresRecovery recovery = new PostgresRecovery(repo, "app-db");
        PostgresRecovery.Plan plan = recovery.plan(Optional.empty(), RecoveryTarget.latest());
        assertThat(plan.backup().id()).as("the newest backup on timeline 2's history").isEqualTo(early.id());
        LifeboatException e = catchThrowableOfType(LifeboatException.class, () -> recovery.plan(Optional.of(late.id()), RecoveryTarget.latest()));
        assertThat(e.code()).isEqualTo(ErrorCode.SNAPSHOT_NOT_FOUND);
        assertThat(e.getMessage()).contains("timeline 1 after timeline 2 branched off");
    }

    @Test
    void aTimeAfterTheArchivedWalIsRefusedNamingItsEnd() {
        backup(1, "0/3000028", "0/3000100", "2026-11-24T10:00:00Z");
        whole(1, 3);
        whole(1, 4);
        PostgresRecovery recovery = new PostgresRecovery(repo, "app-db");
        Instant later = Instant.now().plusSeconds(3600);
        LifeboatException e = catchThrowableOfType(LifeboatException.class, () -> recovery.plan(Optional.empty(), RecoveryTarget.at(later)));
        assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_MISSING);
        assertThat(e.getMessage()).contains("is after the archived WAL", "last stored at");
        assertThat(e.hint()).contains("--latest");
        assertThat(recovery.plan(Optional.empty(), RecoveryTarget.at(Instant.parse("2026-11-24T10:30:00Z"))).backup()).isNotNull();
    }
}
