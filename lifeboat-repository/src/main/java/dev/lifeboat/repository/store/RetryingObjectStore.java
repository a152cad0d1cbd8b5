package dev.lifeboat.repository.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Retries {@code RETRYABLE} failures with exponential backoff and jitter; {@code NOT_FOUND} and {@code PERMANENT}
 * failures pass through at once. Safe because every store operation is idempotent: puts are whole-object
 * replacements of immutable, content-addressed objects.
 */
public final class RetryingObjectStore implements ObjectStore {
    private final ObjectStore inner;
    private final int attempts;
    private final Duration firstDelay;

    private final Sleeper sleeper;

    /** How the wait between tries is spent (a test measures it instead). */
    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    public RetryingObjectStore(ObjectStore inner, int attempts, Duration firstDelay) {
        this(inner, attempts, firstDelay, Thread::sleep);
    }

    RetryingObjectStore(ObjectStore inner, int attempts, Duration firstDelay, Sleeper sleeper) {
        this.inner = inner;
        this.attempts = attempts;
        this.firstDelay = firstDelay;
        this.sleeper = sleeper;
    }

    /** The same retry rules around another store (a test's sleeper stays). */
    RetryingObjectStore around(ObjectStore other, Sleeper with) {
        return new RetryingObjectStore(other, attempts, firstDelay, with);
    }

    /**
     * For work that runs long and should ride out a network blip or a throttling burst (backups, restores, the
     * agent): seven tries, waiting about 0.25, 0.5, 1, 2, 4 and 8 s between them (about 16 s in all, with jitter).
     * Failing a three-hour base backup over a two-second outage would cost more than the wait.
     */
    public static RetryingObjectStore patient(ObjectStore inner) {
        return new RetryingObjectStore(inner, 7, Duration.ofMillis(250));
    }

    /** For answers someone waits on (a monitoring check with its own timeout): four tries in about 1.4 s. */
    public static RetryingObjectStore brief(ObjectStore inner) {
        return new RetryingObjectStore(inner, 4, Duration.ofMillis(200));
    }

    private <T> T retry(Supplier<T> call) {
        long delay = firstDelay.toMillis();
        for (int i = 1; ; i++) {
            try {
                return call.get();
            } catch (StoreException e) {
                if (e.kind() != StoreException.Kind.RETRYABLE || i >= attempts) {
                    throw e;
                }
                try {
                    sleeper.sleep(delay / 2 + (long) (Math.random() * delay));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                delay = Math.min(delay * 2, 30_000);
            }
        }
    }

    @Override
    public void put(String name, byte[] data) {
        retry(() -> {
            inner.put(name, data);
            return null;
        });
    }

    @Override
    public void put(String name, byte[] data, int offset, int length) {
        retry(() -> {
            inner.put(name, data, offset, length); // synchronous: data is not used after this returns
            return null;
        });
    }

    @Override
    public boolean putIfAbsent(String name, byte[] data) {
        boolean[] failedBefore = {false};
        boolean created = retry(() -> {
            try {
                return inner.putIfAbsent(name, data);
            } catch (StoreException e) {
                failedBefore[0] = true;
                throw e;
            }
        });
        if (!created && failedBefore[0]) {
            // An attempt whose answer was lost may have created the object: then the "exists" of the retry is our own
            // write, which the bytes tell.
            try {
                return java.util.Arrays.equals(retry(() -> inner.get(name)), data);
            } catch (StoreException e) {
                if (e.kind() == StoreException.Kind.NOT_FOUND) {
                    return false; // gone again since: another writer's, deleted
                }
                throw e; // unknown whose it is: "lost the race" would be a guess
            }
        }
        return created;
    }

    @Override
    public byte[] get(String name) {
        return retry(() -> inner.get(name));
    }

    @Override
    public byte[] get(String name, long offset, int length) {
        return retry(() -> inner.get(name, offset, length));
    }

    @Override
    public Optional<ObjectInfo> stat(String name) {
        return retry(() -> inner.stat(name));
    }

    @Override
    public boolean certainlyAbsent(String name) {
        return retry(() -> inner.certainlyAbsent(name));
    }

    @Override
    public boolean awaitCopies(long millis) {
        return inner.awaitCopies(millis);
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        return retry(() -> inner.list(prefix));
    }

    @Override
    public Optional<java.time.Duration> retention() {
        return inner.retention();
    }

    @Override
    public void extendRetention(String name) {
        retry(() -> {
            inner.extendRetention(name);
            return null;
        });
    }

    @Override
    public boolean awaitQueuedCopies(long millis) {
        return inner.awaitQueuedCopies(millis);
    }

    @Override
    public byte[] getIntact(String name, java.util.function.Predicate<byte[]> intact) {
        return retry(() -> inner.getIntact(name, intact));
    }

    @Override
    public List<ObjectInfo> listEverywhere(String prefix) {
        return retry(() -> inner.listEverywhere(prefix));
    }

    @Override
    public void deleteEverywhere(String name) {
        retry(() -> {
            inner.deleteEverywhere(name);
            return null;
        });
    }

    @Override
    public Leftovers leftovers(java.time.Instant before) {
        return retry(() -> inner.leftovers(before));
    }

    @Override
    public Leftovers removeLeftovers(java.time.Instant before) {
        return retry(() -> inner.removeLeftovers(before)); // idempotent: a retry removes what the failed try did not
    }

    @Override
    public void delete(String name) {
        retry(() -> {
            inner.delete(name);
            return null;
        });
    }

    @Override
    public StoreFeatures features() {
        return inner.features();
    }

    @Override
    public String location() {
        return inner.location();
    }

    @Override
    public void close() {
        inner.close();
    }
}
