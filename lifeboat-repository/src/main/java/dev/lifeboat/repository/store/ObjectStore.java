package dev.lifeboat.repository.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where repository objects live: a flat namespace of names like {@code data/ab/ab12…} holding immutable byte
 * strings. Implementations: {@link FilesystemObjectStore}; S3 and Azure Blob in their own modules. Every
 * implementation passes the same contract suite ({@code ObjectStoreContract} in the test jar).
 *
 * <p>Contract, for every method:
 * <ul>
 *   <li>Names are relative, use {@code /} as separator, never start with {@code /} and never contain {@code ..}.</li>
 *   <li>Failures are {@link StoreException}s of one of three kinds: {@code NOT_FOUND} (the object is absent),
 *       {@code RETRYABLE} (a timeout, 5xx, 429 or I/O hiccup: the same call may succeed later) and {@code PERMANENT}
 *       (credentials, permissions, bad request: retrying will not help). A retryable failure of a write leaves
 *       either the old state or the complete new object, never a partial one.</li>
 *   <li>Implementations are safe for concurrent use by several threads.</li>
 * </ul>
 */
public interface ObjectStore extends AutoCloseable {

    /**
     * Stores {@code data} under {@code name}, replacing any object of that name. Atomic: a concurrent or later
     * reader sees either the previous object (or none) or all of {@code data}, never a part. Durable when it
     * returns (filesystem: fsync of file and directory; object stores: acknowledged by the service).
     */
    void put(String name, byte[] data);

    /**
     * {@link #put(String, byte[])} of {@code data[offset, offset + length)}. The store keeps no reference to
     * {@code data} once it returns: the caller may reuse the buffer (backups reuse their pack buffers). The default
     * copies the range; stores that write synchronously override it to write the range itself.
     */
    default void put(String name, byte[] data, int offset, int length) {
        put(name, java.util.Arrays.copyOfRange(data, offset, offset + length));
    }

    /**
     * Stores {@code data} only if no object has that name. Returns false, leaving the existing object untouched,
     * when one exists. Atomic as {@link #put}. Stores without a native conditional write emulate it; see
     * {@link StoreFeatures#atomicConditionalPut()} for whether two racing writers can both succeed.
     */
    boolean putIfAbsent(String name, byte[] data);

    /** The whole object. {@code NOT_FOUND} if absent. */
    byte[] get(String name);

    /**
     * {@code length} bytes from {@code offset}. {@code NOT_FOUND} if absent; a range beyond the end returns the
     * bytes that exist (possibly none), so callers can detect truncation by the length they get.
     */
    byte[] get(String name, long offset, int length);

    /** Size and modification time, or empty when absent (absence is not an error here). */
    Optional<ObjectInfo> stat(String name);

    /**
     * Whether the object is certainly absent: true only when every place that could hold it says so. A single store
     * answers as {@link #stat} does; one spread over regions throws while a region that did not answer might hold
     * it. For decisions that must not take an outage for an absence (a lock somebody removed).
     */
    default boolean certainlyAbsent(String name) {
        return stat(name).isEmpty();
    }

    /**
     * Waits up to {@code millis} until every object this process wrote is in every copy the store keeps (each region
     * of a set of regions); true when it is. Whoever deletes what newly written objects replace (prune, key rotation)
     * waits first, so no copy loses the old before it holds the new. A single store keeps one copy: true at once.
     */
    default boolean awaitCopies(long millis) {
        return true;
    }

    /**
     * Waits up to {@code millis} for the background copies queued so far, not for those queued while it waits (a
     * process streaming WAL keeps queuing); true when they are done, failed or not. A single store: true at once.
     */
    default boolean awaitQueuedCopies(long millis) {
        return true;
    }

    /** Every object whose name starts with {@code prefix} (empty: all), in no particular order. */
    List<ObjectInfo> list(String prefix);

    /** Removes the object. Removing an absent object succeeds (idempotent). */
    void delete(String name);

    /**
     * The retention every repository object is written with where the store locks them (S3 Object Lock), if any. A
     * lock runs from each object's own write, and deduplicated packs are never rewritten: prune extends it on what the
     * kept snapshots still use ({@link #extendRetention}).
     */
    default Optional<java.time.Duration> retention() {
        return Optional.empty();
    }

    /**
     * Extends the object's retention to a full {@link #retention()} from now, where the store locks objects; nothing
     * elsewhere. Retention is only ever lengthened, never shortened.
     *
     * @throws StoreException when the store refuses or does not answer
     */
    default void extendRetention(String name) {
    }

    /**
     * The object, for a caller that found the copy it read damaged: a store that keeps several copies (regions) returns
     * the first that passes {@code intact}, else the first it could read; a single store returns {@link #get} as is,
     * and the caller reports the damage. Called only after a check failed, so the common read pays nothing.
     */
    default byte[] getIntact(String name, java.util.function.Predicate<byte[]> intact) {
        return get(name);
    }

    /**
     * As {@link #list}, but complete: a store spread over places (regions) fails unless every place answered, where
     * {@link #list} returns the union of those that did. For decisions that delete what nothing listed seems to use
     * (prune): the newest snapshots may live in one region alone while the others catch up. A single store: {@link #list}.
     *
     * @throws StoreException when some place did not answer
     */
    default List<ObjectInfo> listEverywhere(String prefix) {
        return list(prefix);
    }

    /**
     * As {@link #delete}, but from every copy or it throws, where {@link #delete} succeeds once one copy is gone. For
     * objects that must not survive in one place while what they refer to is deleted (a forgotten snapshot, a
     * replaced index). A single store: {@link #delete}.
     *
     * @throws StoreException when some copy could not be deleted (the others may be gone)
     */
    default void deleteEverywhere(String name) {
        delete(name);
    }

    /**
     * The {@link Leftovers} of interrupted writes last touched before {@code before}: never a complete object, and
     * nothing {@link #list} shows. A store whose writes leave nothing behind (or whose service cleans up by itself)
     * has none: the default.
     */
    default Leftovers leftovers(Instant before) {
        return Leftovers.NONE;
    }

    /**
     * Removes what {@link #leftovers} counts and returns what it removed. A writer still busy touches its own
     * leftovers as it goes, so callers pass a time well in the past (prune: an hour) and hold the exclusive lock.
     */
    default Leftovers removeLeftovers(Instant before) {
        return Leftovers.NONE;
    }

    /** What this store can do beyond the contract. */
    StoreFeatures features();

    /** Where the store is, for messages: {@code file:/var/lib/lifeboat}, {@code s3://bucket/prefix}. Never a secret. */
    String location();

    @Override
    default void close() {
    }
}
