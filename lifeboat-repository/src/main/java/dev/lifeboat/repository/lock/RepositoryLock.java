package dev.lifeboat.repository.lock;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.Json;
import dev.lifeboat.repository.Layout;
import dev.lifeboat.repository.codec.DamagedObjectException;
import dev.lifeboat.repository.store.ObjectInfo;
import dev.lifeboat.repository.store.ObjectStore;
import dev.lifeboat.repository.store.StoreException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A lock on a repository, after restic's: writers of new data (backups) take shared locks; operations that delete
 * (prune) or rewrite keys take an exclusive lock, which excludes every other lock. A lock is an object under
 * {@code locks/}, refreshed every {@link #REFRESH}; one not refreshed for {@link #STALE} — or held by a dead process
 * on this host — is stale and ignored.
 *
 * <p>Acquisition writes the lock, then lists again: if a conflicting lock appeared meanwhile, both sides see each
 * other, and this side withdraws. Two racing exclusive lockers may both withdraw; neither proceeds unsafely.
 *
 * <p>A holder can lose its lock: when the store stays unreachable, or the process is paused (SIGSTOP, a suspended
 * VM), for long enough that others may take the lock as stale, a prune elsewhere may have deleted what a backup
 * deduplicated against. A lock not refreshed for {@link #HOLD} is therefore <em>lost</em> for good, as is one whose
 * object somebody removed ({@code repo unlock --all}); a refresh never revives it, and {@link #ensureHeld()} fails
 * from then on. Writers call it before every commit (after restic's lock-refresh deadline).
 */
public final class RepositoryLock implements AutoCloseable {
    public static final Duration REFRESH = Duration.ofMinutes(5);
    public static final Duration STALE = Duration.ofMinutes(30);
    /** How long after its last refresh a holder still counts its lock as held: well inside {@link #STALE}. */
    public static final Duration HOLD = STALE.minus(REFRESH.multipliedBy(3).dividedBy(2));
    /** How often the refresher looks whether a refresh is due (a failed one is retried at this pace). */
    static final Duration TICK = Duration.ofSeconds(30);

    private final ObjectStore store;
    private final String name;
    private final Clock clock;
    private final LockRecord record;
    private final ScheduledExecutorService refresher;
    private volatile long refreshedNanos;
    private volatile Instant refreshedAt;
    /** Why the lock is lost; null while it is held. */
    private volatile String lost;
    /** Set by {@link #close()}; a refresh never writes the lock object again after it (both hold this lock's monitor). */
    private boolean closed;
    private final List<Runnable> onClose = new java.util.concurrent.CopyOnWriteArrayList<>();

    private RepositoryLock(ObjectStore store, String name, Clock clock, LockRecord record, Instant written, long writtenNanos) {
        this.store = store;
        this.name = name;
        this.clock = clock;
        this.record = record;
        this.refreshedNanos = writtenNanos;
        this.refreshedAt = written;
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lifeboat-lock-refresh");
            t.setDaemon(true);
            return t;
        });
        refresher.scheduleWithFixedDelay(this::tick, TICK.toSeconds(), TICK.toSeconds(), TimeUnit.SECONDS);
    }

    public static RepositoryLock shared(ObjectStore store, Clock clock, String purpose) {
        return acquire(store, clock, purpose, false);
    }

    public static RepositoryLock exclusive(ObjectStore store, Clock clock, String purpose) {
        return acquire(store, clock, purpose, true);
    }

    private static RepositoryLock acquire(ObjectStore store, Clock clock, String purpose, boolean exclusive) {
        conflict(store, clock, exclusive, null);
        Instant written = clock.instant();
        long writtenNanos = System.nanoTime();
        String now = written.toString();
        LockRecord mine = new LockRecord(host(), ProcessHandle.current().pid(), purpose, exclusive, now, now);
        String name = Layout.LOCKS + HexFormat.of().formatHex(dev.lifeboat.repository.crypto.Aead.randomBytes(8));
        store.put(name, Json.write(mine));
        try {
            conflict(store, clock, exclusive, name);
        } catch (RuntimeException e) {
            // A conflict, or a listing that failed: either way no refresher keeps this lock, so it must not stay behind
            // to block others for the stale period.
            try {
                store.delete(name);
            } catch (RuntimeException deleteFailed) {
                e.addSuppressed(deleteFailed);
            }
            throw e;
        }
        return new RepositoryLock(store, name, clock, mine, written, writtenNanos);
    }

    /** Fails if a live lock conflicts with the one wanted (ignoring {@code own}). */
    private static void conflict(ObjectStore store, Clock clock, boolean exclusive, String own) {
        for (Held h : live(store, clock)) {
            if (h.name.equals(own)) {
                continue;
            }
            if (exclusive || h.record.exclusive()) {
                LockRecord r = h.record;
                throw new LifeboatException(ErrorCode.REPOSITORY_LOCKED, "the repository is locked by " + r.purpose() + " (pid "
                        + r.pid() + " on " + r.host() + ", " + (r.exclusive() ? "exclusive" : "shared") + ", since " + r.acquired() + ")",
                        null);
            }
        }
    }

    /** A lock object and its content. */
    public record Held(String name, LockRecord record) {
    }

    /** The locks that are not stale. */
    public static List<Held> live(ObjectStore store, Clock clock) {
        List<Held> out = new ArrayList<>();
        for (Held h : all(store)) {
            if (!isStale(h.record, clock)) {
                out.add(h);
            }
        }
        return out;
    }

    /**
     * Every lock object, stale or not. One that vanished since the listing is no lock; one that cannot be read (a
     * timeout) fails the call, and one whose content is not a lock record counts as an exclusive lock as old as the
     * object: taking either for "no lock" would let a prune delete what a live backup is deduplicating against.
     */
    public static List<Held> all(ObjectStore store) {
        return all(store, false);
    }

    /**
     * As {@link #all(ObjectStore)}; with {@code tolerant} (for {@code repo unlock}, which must be able to remove it) a
     * lock object that cannot be read counts as an exclusive lock as old as the object instead of failing the call.
     */
    public static List<Held> all(ObjectStore store, boolean tolerant) {
        List<Held> out = new ArrayList<>();
        for (ObjectInfo info : store.list(Layout.LOCKS)) {
            try {
                out.add(new Held(info.name(), Json.read(store.get(info.name()), LockRecord.class)));
            } catch (StoreException e) {
                if (e.kind() == StoreException.Kind.NOT_FOUND) {
                    continue;
                }
                if (!tolerant) {
                    throw e;
                }
                out.add(unreadable(info, "a lock object that could not be read (" + e.getMessage() + ")"));
            } catch (DamagedObjectException e) {
                out.add(unreadable(info, "an unreadable lock object " + info.name()));
            }
        }
        return out;
    }

    private static Held unreadable(ObjectInfo info, String what) {
        String at = info.modified().toString();
        return new Held(info.name(), new LockRecord(UNKNOWN_HOST, 0, what + " ('lifeboat repo unlock --all' removes it now, 'repo unlock' "
                + "once it is " + STALE.toMinutes() + " minutes old)", true, at, at));
    }

    /** The host of a lock whose holder is not known: never judged by its process, only by its age. */
    static final String UNKNOWN_HOST = "unknown";

    public static boolean isStale(LockRecord r, Clock clock) {
        Instant refreshed = Instant.parse(r.refreshed());
        if (Duration.between(refreshed, clock.instant()).compareTo(STALE) > 0) {
            return true;
        }
        // Dead by its process only when the record names this host and PID namespace for sure: an unknown host, or
        // a container sharing the host name, would make another machine's live holder look dead.
        String here = host();
        return !here.startsWith(UNKNOWN_HOST) && r.host().equals(here) && ProcessHandle.of(r.pid()).map(p -> !p.isAlive()).orElse(true)
                && r.pid() != ProcessHandle.current().pid();
    }

    private void tick() {
        if (sinceRefresh().compareTo(REFRESH) >= 0) {
            refresh();
        }
    }

    /**
     * Rewrites the lock object with a new refresh time, unless the lock is lost: not refreshed for {@link #HOLD} (it
     * may have been taken for stale meanwhile) or removed by somebody. A failed write is retried on the next tick.
     */
    synchronized void refresh() {
        if (closed || lost != null || expired()) {
            return;
        }
        try {
            if (store.certainlyAbsent(name)) {
                lost = "the lock object " + name + " was removed (by 'repo unlock --all' or a clean-up elsewhere)";
                return;
            }
            Instant now = clock.instant();
            long nanos = System.nanoTime();
            store.put(name, Json.write(new LockRecord(record.host(), record.pid(), record.purpose(), record.exclusive(),
                    record.acquired(), now.toString())));
            if (!expired()) {
                refreshedNanos = nanos;
                refreshedAt = now;
            }
        } catch (RuntimeException e) {
            // Retried on the next tick; a lock not refreshed for HOLD is lost by design.
        }
    }

    /** Time since the last refresh, by the wall clock or the monotonic one, whichever says longer (a suspended VM stops the latter). */
    private Duration sinceRefresh() {
        Duration wall = Duration.between(refreshedAt, clock.instant());
        Duration mono = Duration.ofNanos(System.nanoTime() - refreshedNanos);
        return wall.compareTo(mono) > 0 ? wall : mono;
    }

    private boolean expired() {
        Duration since = sinceRefresh();
        if (since.compareTo(HOLD) > 0) {
            if (lost == null) {
                lost = "the lock was last refreshed " + since.toMinutes() + " minutes ago (the store was unreachable or this process was paused), "
                        + "so another process may have taken it for stale";
            }
            return true;
        }
        return false;
    }

    /**
     * Checks, without I/O, that this lock is still held; call it right before committing anything.
     *
     * @throws LifeboatException {@code lock-lost} if it is not
     */
    public void ensureHeld() {
        if (lost == null) {
            expired();
        }
        String why = lost;
        if (why != null) {
            throw new LifeboatException(ErrorCode.LOCK_LOST, "lost the repository lock for " + record.purpose() + ": " + why
                    + "; stopped before committing anything more", null);
        }
    }

    /** Runs {@code action} when the lock is released. */
    public void whenClosed(Runnable action) {
        onClose.add(action);
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        onClose.forEach(Runnable::run);
        synchronized (this) { // waits for a refresh in progress, which would otherwise write the object again after the delete
            closed = true;
            store.delete(name);
        }
    }

    /** This host's identity; tests replace it to stand for a host whose name cannot be resolved. */
    static volatile java.util.function.Supplier<String> hostIdentity = RepositoryLock::detectHost;

    static String host() {
        return hostIdentity.get();
    }

    /**
     * This host's name, with the PID namespace the process lives in where Linux says: containers that share a host
     * name (host networking) have PID spaces of their own, and a pid is only meaningful within one.
     */
    private static String detectHost() {
        String name;
        try {
            name = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return UNKNOWN_HOST;
        }
        try {
            String ns = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/pid")).toString(); // pid:[4026531836]
            return name + " " + ns;
        } catch (Exception e) {
            return name;
        }
    }
}
