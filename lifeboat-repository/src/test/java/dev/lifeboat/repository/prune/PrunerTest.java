package dev.lifeboat.repository.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.KeepPolicy;
import dev.lifeboat.repository.RepoFixture;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.check.RepositoryVerifier;
import dev.lifeboat.repository.files.DirectoryRestore;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.files.TreeFixture;
import dev.lifeboat.repository.lock.RepositoryLock;
import dev.lifeboat.repository.pack.PackNames;
import dev.lifeboat.repository.store.Leftovers;
import dev.lifeboat.repository.store.ObjectInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrunerTest {
    @TempDir
    Path dir;

    static Optional<KeepPolicy> keepLast(int n) {
        return Optional.of(new KeepPolicy(Optional.of(n), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty()));
    }

    private Set<String> objects(RepoFixture fx) {
        return fx.store.list("").stream().map(ObjectInfo::name).collect(Collectors.toSet());
    }

    @Test
    void dryRunListsExactlyWhatPruneDeletesAndTheRestStillRestores() throws Exception {
        RepoFixture fx = new RepoFixture(dir.resolve("repo"));
        Path src = TreeFixture.create(dir.resolve("src"), 6, 300_000, 1);
        fx.backup(src, "config");
        for (int i = 0; i < 2; i++) {
            // Replace half the files so older snapshots hold data nothing newer needs.
            java.util.Random r = new java.util.Random(10 + i);
            for (int f = 0; f < 3; f++) {
                Files.write(src.resolve("data/part-" + f + (f % 2 == 0 ? ".log" : ".bin")), TreeFixture.text(r, 200_000));
            }
            fx.backup(src, "config");
        }
        Snapshot newest = fx.repo.snapshots().find("latest", Optional.empty());
        Pruner pruner = new Pruner(fx.repo, Clock.systemUTC());
        Set<String> before = objects(fx);
        PrunePlan plan;
        List<String> deleted;
        try (RepositoryLock lock = RepositoryLock.exclusive(fx.store, Clock.systemUTC(), "prune")) {
            plan = pruner.plan(name -> keepLast(1));
            assertThat(plan.forget()).hasSize(2);
            assertThat(plan.deletePacks().size() + plan.repackPacks().size()).isPositive();
            deleted = pruner.execute(plan);
        }
        assertThat(deleted).isEqualTo(plan.deletions());
        Set<String> after = objects(fx);
        Set<String> removed = new HashSet<>(before);
        removed.removeAll(after);
        assertThat(removed).containsExactlyInAnyOrderElementsOf(plan.deletions());

        fx.reopen();
        assertThat(new RepositoryVerifier(fx.repo).run(true, Progress.NONE).problems()).isEmpty();
        Path restored = dir.resolve("restored");
        new DirectoryRestore(fx.repo).run(fx.repo.snapshots().find(newest.shortId(), Optional.empty()), restored, Progress.NONE);
        assertThat(TreeFixture.describe(restored)).isEqualTo(TreeFixture.describe(src));
    }

    @Test
    void whereObjectsAreLockedPruneExtendsTheLockOfWhatTheKeptSnapshotsUse() throws Exception {
        RepoFixture fx = new RepoFixture(dir.resolve("repo"));
        Path src = TreeFixture.create(dir.resolve("src"), 6, 300_000, 1);
        Snapshot old = fx.backup(src, "config");
        for (int f = 0; f < 6; f++) { // everything changes: the older snapshot's packs are used by nothing newer
            Files.write(src.resolve("data/part-" + f + (f % 2 == 0 ? ".log" : ".bin")), TreeFixture.text(new java.util.Random(40 + f), 300_000));
        }
        Snapshot kept = fx.backup(src, "config");
        java.util.List<String> extended = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.lifeboat.repository.store.ObjectStore locking = new dev.lifeboat.repository.store.ObjectStoreDelegate(fx.store) {
            @Override
            public Optional<java.time.Duration> retention() {
                return Optional.of(java.time.Duration.ofDays(30));
            }

            @Override
            public void extendRetention(String name) {
                extended.add(name);
            }
        };
        dev.lifeboat.repository.Repository repo = dev.lifeboat.repository.Repository.open(locking, RepoFixture.SECRET);
        // Twenty days on, every object is past half its 30-day lock.
        Clock later = Clock.offset(Clock.systemUTC(), java.time.Duration.ofDays(20));
        Pruner pruner = new Pruner(repo, later);
        PrunePlan plan;
        try (RepositoryLock lock = repo.lockExclusive("prune")) {
            plan = pruner.plan(name -> keepLast(1));
            pruner.execute(plan);
        }
        assertThat(plan.forget()).containsExactly(old.objectName());
        assertThat(extended).contains(kept.objectName()).doesNotContain(old.objectName())
                .anyMatch(n -> n.startsWith("index/")).anyMatch(n -> n.startsWith("data/"))
                .noneMatch(n -> plan.deletePacks().contains(n) || plan.repackPacks().contains(n) || n.startsWith("locks/"));
        assertThat(pruner.retentionExtended()).isEqualTo(extended.size());
        // Without a lock nothing is asked.
        extended.clear();
        Pruner plain = new Pruner(fx.reopen(), later);
        try (RepositoryLock lock = fx.repo.lockExclusive("prune")) {
            plain.execute(plain.plan(name -> keepLast(1)));
        }
        assertThat(extended).isEmpty();
        assertThat(plain.retentionExtended()).isZero();
    }

    @Test
    void withoutAPolicyNothingIsForgottenButOldOrphanPacksGo() throws Exception {
        RepoFixture fx = new RepoFixture(dir.resolve("repo"));
        fx.backup(TreeFixture.create(dir.resolve("src"), 2, 50_000, 2), "x");
        byte[] junk = "interrupted".getBytes();
        String orphan = PackNames.packObject(PackNames.sha256(junk));
        fx.store.put(orphan, junk);
        Files.setLastModifiedTime(fx.store.root().resolve(orphan), FileTime.from(Instant.now().minusSeconds(7200)));
        PrunePlan plan = new Pruner(fx.repo, Clock.systemUTC()).plan(name -> Optional.empty());
        assertThat(plan.forget()).isEmpty();
        assertThat(plan.decisions()).allMatch(d -> d.keep() && d.reasons().get(0).startsWith("no keep policy"));
        assertThat(plan.orphanPacks()).containsExactly(orphan);
        new Pruner(fx.repo, Clock.systemUTC()).execute(plan);
        assertThat(fx.store.stat(orphan)).isEmpty();
    }

    @Test
    void temporaryFilesOfKilledWritersGoOnceOlderThanTheGracePeriod() throws Exception {
        RepoFixture fx = new RepoFixture(dir.resolve("repo"));
        fx.backup(TreeFixture.create(dir.resolve("src"), 2, 50_000, 2), "x");
        Set<String> objects = objects(fx);
        String somePack = fx.store.list("data/").get(0).name();
        // What a writer killed between writing and renaming leaves: the listing never shows it.
        Path old = fx.store.root().resolve(somePack).resolveSibling(".tmp-" + "ab".repeat(32) + "-dead");
        Files.write(old, new byte[12_345]);
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Pruner.ORPHAN_GRACE).minusSeconds(60)));
        Path young = fx.store.root().resolve("snapshots/.tmp-" + "cd".repeat(32) + "-busy");
        Files.write(young, new byte[100]);

        PrunePlan plan;
        try (RepositoryLock lock = RepositoryLock.exclusive(fx.store, Clock.systemUTC(), "prune")) {
            plan = new Pruner(fx.repo, Clock.systemUTC()).plan(name -> Optional.empty());
            assertThat(plan.leftovers()).isEqualTo(new Leftovers(1, 12_345));
            assertThat(plan.changesAnything()).isTrue();
            assertThat(Files.exists(old)).as("planning removes nothing").isTrue();
            new Pruner(fx.repo, Clock.systemUTC()).execute(plan);
        }
        assertThat(Files.exists(old)).isFalse();
        assertThat(Files.exists(young)).as("a writer may still be busy with it").isTrue();
        assertThat(objects(fx)).isEqualTo(objects);
        fx.reopen();
        assertThat(new RepositoryVerifier(fx.repo).run(true, Progress.NONE).problems()).isEmpty();
    }

    @Test
    void pruneCannotStartWhileABackupHoldsItsLock() {
        RepoFixture fx = new RepoFixture(dir.resolve("repo"));
        try (RepositoryLock backup = RepositoryLock.shared(fx.store, Clock.systemUTC(), "backup")) {
            LifeboatException e = catchThrowableOfType(LifeboatException.class,
                    () -> RepositoryLock.exclusive(fx.store, Clock.systemUTC(), "prune"));
            assertThat(e.code()).isEqualTo(ErrorCode.REPOSITORY_LOCKED);
            assertThat(e.getMessage()).contains("locked by backup", "shared");
            // Two backups may run together.
            RepositoryLock.shared(fx.store, Clock.systemUTC(), "backup").close();
        }
        try (RepositoryLock prune = RepositoryLock.exclusive(fx.store, Clock.systemUTC(), "prune")) {
            assertThat(catchThrowableOfType(LifeboatException.class,
                    () -> RepositoryLock.shared(fx.store, Clock.systemUTC(), "backup")).getMessage()).contains("locked by prune");
        }
        assertThat(fx.store.list("locks/")).isEmpty();
    }

    @Test
    void staleLocksAreIgnored() {
        RepoFixture fx = new RepoFixture(dir.resolve("repo"));
        RepositoryLock.exclusive(fx.store, Clock.systemUTC(), "prune"); // never closed: its holder "died"
        Clock later = Clock.offset(Clock.systemUTC(), RepositoryLock.STALE.plusMinutes(1));
        RepositoryLock.shared(fx.store, later, "backup").close();
    }
}
