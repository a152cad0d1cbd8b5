package dev.lifeboat.repository.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.KeepPolicy;
import dev.lifeboat.repository.Json;
import dev.lifeboat.repository.RepoFixture;
import dev.lifeboat.repository.check.RepositoryVerifier;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.files.TreeFixture;
import dev.lifeboat.repository.prune.PrunePlan;
import dev.lifeboat.repository.prune.Pruner;
import dev.lifeboat.repository.store.ObjectInfo;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A holder that could not refresh its lock in time stops committing, so a prune that took the lock for stale is safe. */
class RepositoryLockTest {
    @TempDir
    Path dir;

    /** A clock tests move by hand. */
    static final class HandClock extends Clock {
        volatile Instant now = Instant.parse("2026-11-24T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static String refreshedIn(RepoFixture fx) {
        ObjectInfo only = fx.store.list(dev.lifeboat.repository.Layout.LOCKS).get(0);
        return Json.read(fx.store.get(only.name()), LockRecord.class).refreshed();
    }

    @Test
    void aLockRefreshedInTimeStaysHeld() {
        RepoFixture fx = new RepoFixture(dir.resolve("repo"));
        HandClock clock = new HandClock();
        try (RepositoryLock lock = RepositoryLock.shared(fx.store, clock, "backup")) {
            clock.advance(Duration.ofMinutes(20));
            lock.refresh();
            assertThat(refreshedIn(fx)).isEqualTo("2026-11-24T12:20:00Z");
            clock.advance(Duration.ofMinutes(20)); // 40 minutes since acquisition, 20 since the refresh
            lock.ensureHeld();
        }
    }

    @Test
    void aLockNotRefreshedForTheHoldTimeIsLostAndARefreshDoesNotReviveIt() {
        RepoFixture fx = new RepoFixture(dir.resolve("repo"));
        HandClock clock = new HandClock();
        try (RepositoryLock lock = RepositoryLock.shared(fx.store, clock, "backup pg")) {
            clock.advance(RepositoryLock.HOLD.plusMinutes(1)); // paused, or the store was away
            lock.refresh();
            assertThat(refreshedIn(fx)).as("not rewritten: others may have taken it for stale").isEqualTo("2026-11-24T12:00:00Z");
            LifeboatException e = catchThrowableOfType(LifeboatException.class, lock::ensureHeld);
            assertThat(e.code()).isEqualTo(ErrorCode.LOCK_LOST);
            assertThat(e.getMessage()).contains("backup pg", "last refreshed 23 minutes ago");
            clock.advance(Duration.ofMinutes(-20));
            assertThat(catchThrowableOfType(LifeboatException.class, lock::ensureHeld).code()).as("lost for good").isEqualTo(ErrorCode.LOCK_LOST);
        }
        assertThat(fx.store.list("locks/")).isEmpty();
    }

    @Test
    void aLockWhoseObjectWasRemovedIsLost() {
        RepoFixture fx = new RepoFixture(dir.resolve("repo"));
        try (RepositoryLock lock = RepositoryLock.shared(fx.store, Clock.systemUTC(), "backup")) {
            fx.store.delete(fx.store.list("locks/").get(0).name()); // 'repo unlock --all' elsewhere
            lock.refresh();
            assertThat(fx.store.list("locks/")).as("not recreated").isEmpty();
            assertThat(catchThrowableOfType(LifeboatException.class, lock::ensureHeld).getMessage()).contains("was removed");
        }
    }

    @Test
    void aBackupUnderALostLockCommitsNothingAndTheRepositoryStillVerifies() throws Exception {
        RepoFixture fx = new RepoFixture(dir.resolve("repo"));
        Path src = TreeFixture.create(dir.resolve("src"), 4, 100_000, 3);
        fx.backup(src, "before");
        HandClock clock = new HandClock();
        RepositoryLock lock = fx.repo.track(RepositoryLock.shared(fx.store, clock, "backup"));
        clock.advance(RepositoryLock.HOLD.plusMinutes(1));
        LifeboatException e = catchThrowableOfType(LifeboatException.class, () -> fx.backup(TreeFixture.create(dir.resolve("src2"), 4, 100_000, 4), "after"));
        assertThat(e.code()).isEqualTo(ErrorCode.LOCK_LOST);
        assertThat(fx.repo.snapshots().ids()).hasSize(1);
        assertThat(fx.store.list("index/")).as("no index written either").hasSize(1);
        lock.close();
        assertThat(new RepositoryVerifier(fx.reopen()).run(true, Progress.NONE).problems()).isEmpty();
        fx.backup(src, "again"); // released: commits work again
        assertThat(fx.repo.snapshots().ids()).hasSize(2);
    }

    @Test
    void aPruneThatLostItsLockDeletesNothing() throws Exception {
        RepoFixture fx = new RepoFixture(dir.resolve("repo"));
        for (int i = 0; i < 3; i++) {
            fx.backup(TreeFixture.create(dir.resolve("src" + i), 3, 80_000, 10 + i), "config");
        }
        HandClock clock = new HandClock();
        Pruner pruner = new Pruner(fx.repo, Clock.systemUTC());
        Set<String> before = new HashSet<>();
        fx.store.list("").forEach(i -> before.add(i.name()));
        try (RepositoryLock lock = fx.repo.track(RepositoryLock.exclusive(fx.store, clock, "prune"))) {
            PrunePlan plan = pruner.plan(name -> Optional.of(new KeepPolicy(Optional.of(1), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty())));
            assertThat(plan.deletions()).isNotEmpty();
            before.removeIf(n -> n.startsWith("locks/"));
            clock.advance(RepositoryLock.HOLD.plusMinutes(1));
            assertThat(catchThrowableOfType(LifeboatException.class, () -> pruner.execute(plan)).code()).isEqualTo(ErrorCode.LOCK_LOST);
        }
        Set<String> after = new HashSet<>();
        fx.store.list("").forEach(i -> after.add(i.name()));
        assertThat(after).isEqualTo(before);
    }

    @Test
    void aRegionOutageIsNotTakenForARemovedLock() {
        var east = new dev.lifeboat.repository.store.SwitchableStore(new dev.lifeboat.repository.store.FilesystemObjectStore(dir.resolve("east")));
        var west = new dev.lifeboat.repository.store.SwitchableStore(new dev.lifeboat.repository.store.FilesystemObjectStore(dir.resolve("west")));
        var set = new dev.lifeboat.repository.region.RegionSet(List.of(new dev.lifeboat.repository.region.Region("east", east),
                new dev.lifeboat.repository.region.Region("west", west)), 1);
        HandClock clock = new HandClock();
        try (RepositoryLock lock = RepositoryLock.shared(set, clock, "backup")) {
            assertThat(set.drain(10_000)).isZero();
            east.down(); // west still holds the lock object
            clock.advance(Duration.ofMinutes(6));
            lock.refresh();
            lock.ensureHeld();
            west.down(); // nobody answers: a failed refresh, retried, not a removal
            lock.refresh();
            lock.ensureHeld();
            east.up();
            west.up();
            // Removed from one region only (a copy that never arrived): still there in the other, so still held.
            west.delete(set.list("locks/").get(0).name());
            lock.refresh();
            lock.ensureHeld();
            east.down(); // and the region that has it does not answer: absence is not certain
            lock.refresh();
            lock.ensureHeld();
            east.up();
        } finally {
            set.close();
        }
    }
}
