package dev.lifeboat.repository.region;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.repository.RepoFixture;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.check.RepositoryVerifier;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.files.DirectoryBackup;
import dev.lifeboat.repository.files.DirectoryRestore;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.files.TreeFixture;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import dev.lifeboat.repository.store.Leftovers;
import dev.lifeboat.repository.store.ObjectStore;
import dev.lifeboat.repository.store.ObjectStoreDelegate;
import dev.lifeboat.repository.store.ObjectStoreContract;
import dev.lifeboat.repository.store.SwitchableStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegionSetTest {
    @TempDir
    Path dir;
    SwitchableStore east;
    SwitchableStore west;
    SwitchableStore eu;
    RegionSet set;
    Path source;

    @BeforeEach
    void regions() {
        east = new SwitchableStore(new FilesystemObjectStore(dir.resolve("us-east-1")));
        west = new SwitchableStore(new FilesystemObjectStore(dir.resolve("us-west-2")));
        eu = new SwitchableStore(new FilesystemObjectStore(dir.resolve("eu-west")));
        set = new RegionSet(List.of(new Region("us-east-1", east), new Region("us-west-2", west), new Region("eu-west", eu)), 1);
        source = TreeFixture.create(dir.resolve("src"), 4, 200_000, 1);
    }

    private Repository init() {
        return Repository.init(set, RepoFixture.SECRET, RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()).withPackSize(256 * 1024));
    }

    private Snapshot backup(Repository repo) {
        return new DirectoryBackup(repo, Clock.systemUTC(), 2).run(source, "config", List.of(), Progress.NONE);
    }

    private RegionStatus status(String region) {
        return RegionStatus.of(set, Instant.now()).stream().filter(s -> s.region().equals(region)).findFirst().orElseThrow();
    }

    /** The region alone verifies deep and restores {@code s} exactly, into {@code dir/name}. */
    private void assertRestoresFromAlone(SwitchableStore region, Snapshot s, String name) {
        Repository alone = Repository.open(region, RepoFixture.SECRET);
        assertThat(new RepositoryVerifier(alone).run(true, Progress.NONE).problems()).isEmpty();
        new DirectoryRestore(alone).run(alone.snapshots().find(s.shortId(), Optional.empty()), dir.resolve(name), Progress.NONE);
        assertThat(TreeFixture.describe(dir.resolve(name))).isEqualTo(TreeFixture.describe(source));
    }

    @Test
    void leftoversAreCountedAndRemovedInEveryRegionThatAnswers() throws Exception {
        for (String region : List.of("us-east-1", "us-west-2", "eu-west")) {
            java.nio.file.Files.createDirectories(dir.resolve(region).resolve("data/ab"));
            java.nio.file.Files.write(dir.resolve(region).resolve("data/ab/.tmp-killed"), new byte[1000]);
        }
        Instant later = Instant.now().plusSeconds(60);
        eu.down();
        Leftovers seen = set.leftovers(later);
        assertThat(seen.count()).isEqualTo(2);
        assertThat(seen.bytes()).isEqualTo(2000);
        assertThat(seen.problem()).hasValueSatisfying(p -> assertThat(p).contains("region eu-west", "unreachable"));
        assertThat(set.removeLeftovers(later).count()).isEqualTo(2);
        eu.up();
        assertThat(set.leftovers(later)).as("the region that was down keeps its own for the next prune").isEqualTo(new Leftovers(1, 1000));
        assertThat(set.leftovers(Instant.now().minusSeconds(3600))).as("too young").isEqualTo(Leftovers.NONE);
    }

    @Test
    void everyRegionReceivesACopyInTheBackground() {
        backup(init());
        assertThat(set.drain(10_000)).isZero();
        assertThat(RegionStatus.of(set, Instant.now())).allMatch(RegionStatus::inSync);
        assertThat(status("eu-west").objects()).isEqualTo(status("us-east-1").objects());
    }

    @Test
    void backupsCommitWhileARegionIsDownAndSyncBringsItLevel() {
        Repository repo = init();
        set.drain(10_000);
        west.down();
        Snapshot s = backup(repo);
        set.drain(10_000);
        assertThat(set.failedCopies()).isPositive();
        RegionStatus behind = status("us-west-2");
        assertThat(behind.reachable()).isFalse();
        west.up();
        behind = status("us-west-2");
        assertThat(behind.missingObjects()).isPositive();
        assertThat(behind.missingBytes()).isPositive();
        assertThat(behind.lagAge()).isPresent();

        RegionSync.Result r = RegionSync.run(set.region("us-east-1"), set.region("us-west-2"), true, false, Progress.NONE);
        assertThat(r.copied()).isEqualTo(behind.missingObjects());
        assertThat(status("us-west-2").inSync()).isTrue();
        // The repaired region alone restores the snapshot.
        assertRestoresFromAlone(west, s, "r");
    }

    @Test
    void aRegionThatMissedAPackGetsItBeforeTheIndexThatListsIt() {
        Repository repo = init();
        set.drain(10_000);
        west.down();
        backup(repo);
        set.drain(10_000);
        assertThat(set.failedCopies()).isPositive();
        assertThat(new FilesystemObjectStore(dir.resolve("us-west-2")).list("index/")).as("no index copied where its packs did not arrive").isEmpty();

        // The region comes back; the next index to copy there first makes good what it missed.
        west.up();
        Snapshot s = backup(repo);
        assertThat(set.drain(10_000)).isZero();
        assertThat(set.failedCopies()).isZero();
        assertRestoresFromAlone(west, s, "w");
    }

    @Test
    void aSnapshotReachesARegionOnlyWithTheBlobsEarlierProcessesFailedToCopyThere() {
        Repository repo = init();
        set.drain(10_000);
        west.down();
        backup(repo); // this process's copies to us-west-2 fail, and it exits
        set.drain(10_000);
        assertThat(set.failedCopies()).isPositive();
        set.close();
        west.up();

        // The next process knows nothing of those failures; its backup deduplicates against the blobs that never
        // reached us-west-2, so its own packs and index there would not restore its snapshot.
        set = new RegionSet(List.of(new Region("us-east-1", east), new Region("us-west-2", west), new Region("eu-west", eu)), 1);
        Repository next = Repository.open(set, RepoFixture.SECRET);
        Snapshot s = new DirectoryBackup(next, Clock.systemUTC(), 2).run(source, "config", List.of("again"), Progress.NONE);
        assertThat(s.manifest().stats().newChunks()).as("everything deduplicated").isZero();
        assertThat(set.drain(10_000)).isZero();
        assertThat(set.failedCopies()).isZero();
        assertRestoresFromAlone(west, s, "w");
    }

    @Test
    void aSnapshotWaitingForARegionDoesNotMakeEveryLaterCopyCatchUp() {
        int[] lists = {0};
        ObjectStore counted = new ObjectStoreDelegate(west) {
            @Override
            public List<dev.lifeboat.repository.store.ObjectInfo> list(String prefix) {
                lists[0]++;
                return super.list(prefix);
            }
        };
        set.close();
        set = new RegionSet(List.of(new Region("us-east-1", east), new Region("us-west-2", counted)), 1);
        Repository repo = init();
        set.drain(10_000);
        west.down();
        backup(repo); // its snapshot waits for us-west-2
        set.drain(10_000);
        west.up();
        int before = lists[0];
        for (int i = 0; i < 50; i++) { // WAL the agent streams meanwhile
            set.put("wal/app-db/00000001/piece-" + i, new byte[] {(byte) i});
        }
        assertThat(set.drain(10_000)).isZero();
        assertThat(lists[0] - before).as("no catch-up for objects that refer to nothing").isZero();
        assertThat(set.trackedNames()).as("nothing kept per object once its copies are done").isZero();
        // The next backup's index catches up and brings the waiting snapshot.
        Snapshot s = backup(repo);
        assertThat(set.drain(10_000)).isZero();
        assertThat(set.failedCopies()).isZero();
        Repository westOnly = Repository.open(west, RepoFixture.SECRET);
        assertThat(westOnly.snapshots().ids()).hasSize(2).contains(s.id());
        assertThat(new RepositoryVerifier(westOnly).run(true, Progress.NONE).problems()).isEmpty();
    }

    @Test
    void withThePrimaryDownWritesCommitElsewhereAndReadsFallBack() {
        Repository repo = init();
        set.drain(10_000);
        east.down();
        Snapshot s = backup(repo);
        Repository reopened = Repository.open(set, RepoFixture.SECRET);
        new DirectoryRestore(reopened).run(reopened.snapshots().find(s.shortId(), Optional.empty()), dir.resolve("r"), Progress.NONE);
        assertThat(TreeFixture.describe(dir.resolve("r"))).isEqualTo(TreeFixture.describe(source));
        east.up();
        set.drain(10_000);
        assertThat(status("us-east-1").missingObjects()).isPositive();
        RegionSync.run(set.region("us-west-2"), set.region("us-east-1"), false, false, Progress.NONE);
        assertThat(status("us-east-1").inSync()).isTrue();
    }

    @Test
    void syncReplacesADamagedObjectAndNeverSpreadsOne() throws Exception {
        Repository repo = init();
        backup(repo);
        set.drain(10_000);
        String pack = new FilesystemObjectStore(dir.resolve("us-east-1")).list("data/").get(0).name();
        rot("us-east-1", pack, 5, Integer.MAX_VALUE);
        // Syncing from the damaged region refuses to spread the damage.
        RegionSync.Result spread = RegionSync.run(set.region("us-east-1"), set.region("eu-west"), true, false, Progress.NONE);
        assertThat(spread.skipped()).isEmpty(); // eu-west already has an intact copy: nothing copied
        assertThat(spread.copied()).isZero();
        RegionSync.Result repair = RegionSync.run(set.region("eu-west"), set.region("us-east-1"), true, false, Progress.NONE);
        assertThat(repair.repaired()).isEqualTo(1);
        assertThat(new RepositoryVerifier(Repository.open(east, RepoFixture.SECRET)).run(true, Progress.NONE).problems()).isEmpty();
    }

    @Test
    void pruneDeletesNothingTheNewIndexReplacesWhileARegionLacksIt() throws Exception {
        // The region takes deletes but not the new index and packs (uploads to it time out): deleting the old ones
        // there would leave it with neither.
        Repository repo = init();
        backup(repo);
        Files.write(source.resolve("data/part-0.log"), TreeFixture.text(new java.util.Random(5), 200_000));
        backup(repo);
        set.drain(10_000);
        FilesystemObjectStore euFs = new FilesystemObjectStore(dir.resolve("eu-west"));
        List<String> euBefore = euFs.list("").stream().map(dev.lifeboat.repository.store.ObjectInfo::name)
                .filter(n -> n.startsWith("data/") || n.startsWith("index/")).toList();
        eu.refuseWrites();
        dev.lifeboat.repository.prune.Pruner pruner = new dev.lifeboat.repository.prune.Pruner(repo, Clock.systemUTC());
        dev.lifeboat.core.error.LifeboatException e;
        try (var lock = dev.lifeboat.repository.lock.RepositoryLock.exclusive(set, Clock.systemUTC(), "prune")) {
            dev.lifeboat.repository.prune.PrunePlan plan = pruner.plan(name -> Optional.of(new dev.lifeboat.core.plan.KeepPolicy(Optional.of(1),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty())));
            assertThat(plan.deleteIndexes()).isNotEmpty();
            e = org.assertj.core.api.Assertions.catchThrowableOfType(dev.lifeboat.core.error.LifeboatException.class, () -> pruner.execute(plan));
        }
        assertThat(e.code()).isEqualTo(dev.lifeboat.core.error.ErrorCode.STORE_UNAVAILABLE);
        eu.up();
        assertThat(euFs.list("").stream().map(dev.lifeboat.repository.store.ObjectInfo::name)).containsAll(euBefore);
        assertThat(new RepositoryVerifier(Repository.open(eu, RepoFixture.SECRET)).run(true, Progress.NONE).problems())
                .as("the region that missed the prune still restores what it had").isEmpty();
    }

    @Test
    void aPruneDecidesNothingWhileARegionDoesNotAnswer() throws Exception {
        // The newest snapshot is in the primary alone (the others did not take it yet); then the primary stops
        // answering. Planning from the others would see its data as unused.
        Repository repo = init();
        backup(repo);
        set.drain(10_000);
        west.refuseWrites();
        eu.refuseWrites();
        Files.write(source.resolve("data/part-0.log"), TreeFixture.text(new java.util.Random(6), 200_000));
        Snapshot newest = backup(repo);
        east.down();
        dev.lifeboat.repository.prune.Pruner pruner = new dev.lifeboat.repository.prune.Pruner(repo, Clock.systemUTC());
        Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> pruner.plan(name -> keepLast(1)));
        assertThat(e).as("no plan from a partial listing").isNotNull();
        assertThat(e.getMessage()).contains("us-east-1", "every region");
        east.up();
        west.up();
        eu.up();
        assertRestoresFromAlone(east, newest, "restored");
    }

    @Test
    void aPruneDeletesNoPackWhileARegionKeepsAnIndexItReplaces() throws Exception {
        Repository repo = init();
        backup(repo);
        try (var files = Files.walk(source)) { // everything changed: the first snapshot's packs are wanted by nothing newer
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.write(f, TreeFixture.text(new java.util.Random(f.hashCode()), 200_000));
            }
        }
        backup(repo);
        set.drain(10_000);
        FilesystemObjectStore euFs = new FilesystemObjectStore(dir.resolve("eu-west"));
        List<String> packsBefore = euFs.list("data/").stream().map(dev.lifeboat.repository.store.ObjectInfo::name).toList();
        eu.refuseDeletes("index/");
        dev.lifeboat.repository.prune.Pruner pruner = new dev.lifeboat.repository.prune.Pruner(repo, Clock.systemUTC());
        dev.lifeboat.core.error.LifeboatException e;
        try (var lock = dev.lifeboat.repository.lock.RepositoryLock.exclusive(set, Clock.systemUTC(), "prune")) {
            dev.lifeboat.repository.prune.PrunePlan plan = pruner.plan(name -> keepLast(1));
            assertThat(plan.deletePacks().size() + plan.repackPacks().size()).as("the test needs packs to delete").isPositive();
            e = org.assertj.core.api.Assertions.catchThrowableOfType(dev.lifeboat.core.error.LifeboatException.class, () -> pruner.execute(plan));
        }
        assertThat(e.code()).isEqualTo(dev.lifeboat.core.error.ErrorCode.STORE_UNAVAILABLE);
        assertThat(e.getMessage()).contains("before deleting any pack", "eu-west");
        eu.up();
        for (SwitchableStore region : List.of(east, west, eu)) {
            assertThat(region.list("data/").stream().map(dev.lifeboat.repository.store.ObjectInfo::name)).containsAll(packsBefore);
        }
        assertThat(new RepositoryVerifier(Repository.open(eu, RepoFixture.SECRET)).run(true, Progress.NONE).problems())
                .as("the region that kept the old index still verifies").isEmpty();
    }

    @Test
    void anIndexAndSnapshotGoStraightOnlyToRegionsThatHoldTheirPacks() {
        // Two of three regions commit. west times out on packs but takes everything else: before, the index and the
        // snapshot went straight to the first two regions, east and west, leaving west a snapshot it cannot restore.
        RegionSet two = new RegionSet(List.of(new Region("us-east-1", east), new Region("us-west-2", west), new Region("eu-west", eu)), 2);
        Repository repo = Repository.init(two, RepoFixture.SECRET, RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests())
                .withPackSize(256 * 1024));
        two.drain(10_000);
        west.refuseWritesOf("data/");
        Snapshot s = new DirectoryBackup(repo, Clock.systemUTC(), 2).run(source, "config", List.of(), Progress.NONE);
        two.drain(10_000);
        Repository westAlone = Repository.open(west, RepoFixture.SECRET);
        assertThat(westAlone.snapshots().list()).as("no snapshot without its packs: " + new FilesystemObjectStore(dir.resolve("us-west-2")).list("")).isEmpty();
        assertThat(new RepositoryVerifier(westAlone).run(true, Progress.NONE).problems()).isEmpty();
        west.up();
        assertRestoresFromAlone(eu, s, "from-eu");
        two.close();
    }

    @Test
    void aSyncThatSkipsADamagedPackHoldsBackTheIndexesAndSnapshotsThatMayListIt() throws Exception {
        Repository repo = init();
        backup(repo);
        set.drain(10_000);
        String pack = new FilesystemObjectStore(dir.resolve("us-east-1")).list("data/").get(0).name();
        rot("us-east-1", pack, 5, Integer.MAX_VALUE);
        // A new, empty region filled from the damaged one: before, it got the index and snapshot without the pack.
        SwitchableStore fresh = new SwitchableStore(new FilesystemObjectStore(dir.resolve("ap-south")));
        RegionSync.Result r = RegionSync.run(set.region("us-east-1"), new Region("ap-south", fresh), true, false, Progress.NONE);
        assertThat(r.skipped()).anyMatch(s -> s.startsWith(pack) && s.contains("damaged"))
                .anyMatch(s -> s.startsWith("snapshots/") && s.contains("held back"));
        assertThat(fresh.list("snapshots/")).isEmpty();
        assertThat(fresh.list("index/")).isEmpty();
    }

    @Test
    void aPruningSyncNeverDeletesBackupsTakenWhileTheSourceWasDown() throws Exception {
        Repository repo = init();
        backup(repo);
        set.drain(10_000);
        east.down(); // the primary is away: the next backup commits to us-west-2 alone
        west.up();
        eu.refuseWrites();
        Files.write(source.resolve("data/part-0.log"), TreeFixture.text(new java.util.Random(8), 200_000));
        Snapshot during = backup(repo);
        var duringTree = TreeFixture.describe(source);
        set.drain(10_000);
        east.up();
        eu.up();
        set.close(); // this process ends before its copies to us-east-1 are made good
        // A later backup by another process, newer than the one taken during the outage, which stays in us-west-2 alone.
        set = new RegionSet(List.of(new Region("us-east-1", east), new Region("us-west-2", west), new Region("eu-west", eu)), 1);
        Files.write(source.resolve("data/part-0.log"), TreeFixture.text(new java.util.Random(9), 200_000));
        backup(Repository.open(set, RepoFixture.SECRET));
        set.drain(10_000);
        Throwable e = org.assertj.core.api.Assertions.catchThrowable(() ->
                RegionSync.run(set.region("us-east-1"), set.region("us-west-2"), false, true, Progress.NONE));
        assertThat(e).hasMessageContaining("snapshot(s) that region us-east-1 lacks").hasMessageContaining("--prune deletes nothing");
        Repository westAlone = Repository.open(west, RepoFixture.SECRET);
        assertThat(new RepositoryVerifier(westAlone).run(true, Progress.NONE).problems()).isEmpty();
        new DirectoryRestore(westAlone).run(westAlone.snapshots().find(during.shortId(), Optional.empty()), dir.resolve("during"), Progress.NONE);
        assertThat(TreeFixture.describe(dir.resolve("during"))).isEqualTo(duringTree);
    }

    @Test
    void aRestoreReadsAnotherRegionsCopyOfAPackDamagedInThePrimaryAndVerifyStillReportsIt() throws Exception {
        Repository repo = init();
        Snapshot s = backup(repo);
        set.drain(10_000);
        for (var info : new FilesystemObjectStore(dir.resolve("us-east-1")).list("")) { // bit rot in every pack, index and snapshot
            if (RegionSync.contentAddressed(info.name())) {
                rot("us-east-1", info.name(), (int) (info.size() / 2), Integer.MAX_VALUE);
            }
        }
        Repository reopened = Repository.open(set, RepoFixture.SECRET);
        new DirectoryRestore(reopened).run(reopened.snapshots().find(s.shortId(), Optional.empty()), dir.resolve("restored"), Progress.NONE);
        assertThat(TreeFixture.describe(dir.resolve("restored"))).isEqualTo(TreeFixture.describe(source));
        assertThat(new RepositoryVerifier(reopened).run(true, Progress.NONE).problems())
                .as("verify of the regions still reports the primary's damage, not reading around it").isNotEmpty();
    }

    @Test
    void releasingALockWaitsForTheCopiesMadeUnderIt() {
        // A slow region: copies made after the lock is gone could re-create what a prune elsewhere deleted meanwhile.
        dev.lifeboat.repository.store.ObjectStore slow = new dev.lifeboat.repository.store.ObjectStoreDelegate(
                new FilesystemObjectStore(dir.resolve("slow"))) {
            @Override
            public void put(String name, byte[] data) {
                if (name.startsWith("data/")) {
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                super.put(name, data);
            }
        };
        RegionSet withSlow = new RegionSet(List.of(new Region("us-east-1", east), new Region("slow", slow)), 1);
        Repository repo = Repository.init(withSlow, RepoFixture.SECRET, RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests())
                .withPackSize(256 * 1024));
        withSlow.drain(10_000);
        try (var lock = repo.lockShared("backup dir")) {
            new DirectoryBackup(repo, Clock.systemUTC(), 2).run(source, "config", List.of(), Progress.NONE);
            assertThat(withSlow.pendingCopies()).as("the test needs copies still on their way").isPositive();
        }
        assertThat(withSlow.pendingCopies()).as("none left once the lock is released").isZero();
        withSlow.close();
    }

    @Test
    void aQuickVerifyReportsATreePackDamagedInThePrimaryThoughAnotherRegionHoldsItIntact() throws Exception {
        Repository repo = init();
        backup(repo);
        set.drain(10_000);
        for (var info : new FilesystemObjectStore(dir.resolve("us-east-1")).list("data/")) {
            rot("us-east-1", info.name(), 64, 1024); // every blob of it, the tree's included
        }
        var problems = new RepositoryVerifier(Repository.open(set, RepoFixture.SECRET)).run(false, Progress.NONE).problems();
        assertThat(problems).as("the tree listing is read without reading around the damage").isNotEmpty();
    }

    @Test
    void aTruncatedCopyInOneRegionIsNotInSync() throws Exception {
        Repository repo = init();
        backup(repo);
        set.drain(10_000);
        FilesystemObjectStore euFs = new FilesystemObjectStore(dir.resolve("eu-west"));
        String pack = euFs.list("data/").get(0).name();
        Path file = euFs.root().resolve(pack);
        byte[] b = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(b, b.length / 2));
        assertThat(status("eu-west").differingObjects()).isEqualTo(1);
        assertThat(status("eu-west").inSync()).as("every object present, one of them cut short").isFalse();
        assertThat(status("us-east-1").missingObjects()).isZero();
    }

    /** Flips one bit at {@code from}, and every {@code every} bytes after it, in a region's copy of {@code object}. */
    private void rot(String region, String object, int from, int every) throws java.io.IOException {
        Path file = new FilesystemObjectStore(dir.resolve(region)).root().resolve(object);
        byte[] b = Files.readAllBytes(file);
        for (long i = from; i < b.length; i += every) {
            b[(int) i] ^= 1;
        }
        Files.write(file, b);
    }

    private static Optional<dev.lifeboat.core.plan.KeepPolicy> keepLast(int n) {
        return Optional.of(new dev.lifeboat.core.plan.KeepPolicy(Optional.of(n), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty()));
    }

    @Test
    void aLockIsReadAsLastRefreshedWhicheverRegionHoldsThatCopy() throws Exception {
        set.put("locks/holder", "refreshed at 10:00".getBytes());
        assertThat(new FilesystemObjectStore(dir.resolve("eu-west")).stat("locks/holder")).as("locks go to every region at once").isPresent();
        // The holder lost the first region: its refresh reached the others only.
        Files.setLastModifiedTime(dir.resolve("us-east-1/locks/holder"), java.nio.file.attribute.FileTime.from(Instant.now().minusSeconds(1800)));
        west.put("locks/holder", "refreshed at 10:30".getBytes());
        assertThat(new String(set.get("locks/holder"))).isEqualTo("refreshed at 10:30");
        east.down();
        assertThat(new String(set.get("locks/holder"))).isEqualTo("refreshed at 10:30");
    }

    @Test
    void aPruningSyncFromARegionThatListsNoRepositoryDeletesNothing() throws Exception {
        Repository repo = init();
        backup(repo);
        set.drain(10_000);
        long before = new FilesystemObjectStore(dir.resolve("eu-west")).list("").size();
        // The source's disk is not mounted: its directory lists as empty.
        Region unmounted = new Region("us-east-1", new FilesystemObjectStore(dir.resolve("not-mounted")));
        dev.lifeboat.core.error.LifeboatException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                dev.lifeboat.core.error.LifeboatException.class, () -> RegionSync.run(unmounted, set.region("eu-west"), false, true, Progress.NONE));
        assertThat(e.getMessage()).contains("lists no repository");
        assertThat(new FilesystemObjectStore(dir.resolve("eu-west")).list("")).hasSize((int) before);
    }

    @org.junit.jupiter.api.AfterEach
    void closeRegions() {
        set.close();
    }

    /** The region set is a store like any other and passes the same contract. */
    @Nested
    class Contract extends ObjectStoreContract {
        private int n;
        private final java.util.List<RegionSet> created = new java.util.ArrayList<>();

        @Override
        protected dev.lifeboat.repository.store.ObjectStore store() {
            n++;
            RegionSet s = new RegionSet(List.of(new Region("a", new FilesystemObjectStore(dir.resolve("c" + n + "a"))),
                    new Region("b", new FilesystemObjectStore(dir.resolve("c" + n + "b")))), 1);
            created.add(s);
            return s;
        }

        @org.junit.jupiter.api.AfterEach
        void closeSets() {
            created.forEach(RegionSet::close);
        }
    }
}
