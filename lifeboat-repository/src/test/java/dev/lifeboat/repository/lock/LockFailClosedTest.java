package dev.lifeboat.repository.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.Json;
import dev.lifeboat.repository.Layout;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import dev.lifeboat.repository.store.ObjectStore;
import dev.lifeboat.repository.store.ObjectStoreDelegate;
import dev.lifeboat.repository.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A lock that cannot be read is never taken for no lock: conflicts fail closed. */
class LockFailClosedTest {
    @TempDir
    Path dir;

    @Test
    void aLockWhoseReadTimesOutFailsTheExclusiveLockAndLeavesNoLockOfItsOwn() {
        FilesystemObjectStore fs = new FilesystemObjectStore(dir.resolve("repo"));
        RepositoryLock backup = RepositoryLock.shared(fs, Clock.systemUTC(), "backup postgres");
        ObjectStore flaky = new ObjectStoreDelegate(fs) {
            @Override
            public byte[] get(String name) {
                if (name.startsWith(Layout.LOCKS)) {
                    throw new StoreException(StoreException.Kind.RETRYABLE, name, "read timed out", null);
                }
                return super.get(name);
            }
        };
        Throwable e = catchThrowable(() -> RepositoryLock.exclusive(flaky, Clock.systemUTC(), "prune"));
        assertThat(e).as("the backup's lock could not be read: prune must not start").isInstanceOf(StoreException.class);
        assertThat(fs.list(Layout.LOCKS)).as("only the backup's lock").hasSize(1);
        backup.close();
    }

    @Test
    void aLockObjectThatIsNotALockRecordCountsAsAnExclusiveLockUntilStale() {
        FilesystemObjectStore fs = new FilesystemObjectStore(dir.resolve("repo"));
        fs.put(Layout.LOCKS + "0123456789abcdef", "{not json".getBytes(StandardCharsets.UTF_8));
        Throwable e = catchThrowable(() -> RepositoryLock.shared(fs, Clock.systemUTC(), "backup"));
        assertThat(e).isInstanceOfSatisfying(LifeboatException.class, le -> assertThat(le.code()).isEqualTo(ErrorCode.REPOSITORY_LOCKED));
        assertThat(e.getMessage()).contains("unreadable lock object", "repo unlock");
        assertThat(RepositoryLock.all(fs)).singleElement().satisfies(h -> assertThat(h.record().exclusive()).isTrue());
        Clock later = Clock.offset(Clock.systemUTC(), RepositoryLock.STALE.plusMinutes(1));
        RepositoryLock.shared(fs, later, "backup").close();
    }

    @Test
    void aHolderOnAnUnknownHostIsNeverJudgedDeadByItsPid() {
        String now = java.time.Instant.now().toString();
        // Two machines whose names cannot be resolved both record "unknown": the other's live pid is no pid here.
        java.util.function.Supplier<String> real = RepositoryLock.hostIdentity;
        RepositoryLock.hostIdentity = () -> RepositoryLock.UNKNOWN_HOST;
        try {
            LockRecord elsewhere = new LockRecord(RepositoryLock.UNKNOWN_HOST, 999_999_999L, "backup", false, now, now);
            assertThat(RepositoryLock.isStale(elsewhere, Clock.systemUTC())).isFalse();
        } finally {
            RepositoryLock.hostIdentity = real;
        }
        LockRecord deadHere = new LockRecord(RepositoryLock.host(), 999_999_999L, "backup", false, now, now);
        assertThat(RepositoryLock.isStale(deadHere, Clock.systemUTC())).as("a dead process of this host and PID namespace").isTrue();
        // Another container of the same name: same host name, another PID namespace (Linux only).
        org.junit.jupiter.api.Assumptions.assumeTrue(RepositoryLock.host().contains("pid:["), "no PID namespace to tell containers apart");
        String otherNamespace = RepositoryLock.host().replaceAll("pid:\\[\\d+\\]", "pid:[1]");
        assertThat(otherNamespace).as("this host's identity names its PID namespace").isNotEqualTo(RepositoryLock.host());
        LockRecord container = new LockRecord(otherNamespace, 999_999_999L, "backup", false, now, now);
        assertThat(RepositoryLock.isStale(container, Clock.systemUTC())).isFalse();
        assertThat(Json.write(deadHere)).isNotEmpty();
    }

    @Test
    void unlockCanRemoveALockObjectThatCannotBeRead() {
        FilesystemObjectStore fs = new FilesystemObjectStore(dir.resolve("repo"));
        fs.put(Layout.LOCKS + "0123456789abcdef", "{\"host\":\"h\"}".getBytes(StandardCharsets.UTF_8));
        ObjectStore refusing = new ObjectStoreDelegate(fs) {
            @Override
            public byte[] get(String name) {
                throw new StoreException(StoreException.Kind.PERMANENT, name, "access denied", null);
            }
        };
        assertThat(catchThrowable(() -> RepositoryLock.all(refusing))).isInstanceOf(StoreException.class);
        assertThat(RepositoryLock.all(refusing, true)).singleElement()
                .satisfies(h -> assertThat(h.record().purpose()).contains("could not be read", "unlock --all"));
    }
}
