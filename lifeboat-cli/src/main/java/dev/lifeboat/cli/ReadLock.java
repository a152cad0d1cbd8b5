package dev.lifeboat.cli;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.lock.RepositoryLock;
import dev.lifeboat.repository.store.StoreException;
import java.util.function.Consumer;

/**
 * The shared lock a command that reads backups (restore, recover, verify, cache warm) holds while it reads: prune
 * takes the exclusive lock, so it can neither start while a recovery is fetching packs nor delete the packs and
 * WAL a recovery planned with while it runs (restic locks its restores the same way). A prune already running
 * makes the reader fail with {@code repository-locked}, before it has changed anything.
 *
 * <p>A store that refuses to write the lock object (read-only credentials for a DR region, an immutable bucket)
 * still lets the reader run: the decision is said on the timeline, since a prune elsewhere could then remove data
 * the reader needs, and reading without a lock is better than not recovering at all.
 */
public final class ReadLock implements AutoCloseable {
    private final RepositoryLock lock;

    private ReadLock(RepositoryLock lock) {
        this.lock = lock;
    }

    /** No lock: for dry runs, which read a few objects and change nothing. */
    public static ReadLock none() {
        return new ReadLock(null);
    }

    /** Takes the shared lock for {@code purpose}; {@code decisions} hears why none was taken, if so. */
    public static ReadLock take(Repository repo, String purpose, Consumer<String> decisions) {
        try {
            return new ReadLock(repo.lockShared(purpose));
        } catch (LifeboatException e) { // StoreException among them
            boolean refused = e instanceof StoreException se ? se.kind() == StoreException.Kind.PERMANENT : e.code() == ErrorCode.STORE_REFUSED;
            if (!refused) {
                throw e;
            }
            decisions.accept(unlocked(e.getMessage()));
            return none();
        }
    }

    private static String unlocked(String why) {
        return "reading without a repository lock: the store refused to write one (" + why + "; read-only credentials?), so a prune "
                + "run elsewhere meanwhile could remove what this command reads";
    }

    @Override
    public void close() {
        if (lock != null) {
            lock.close();
        }
    }
}
