package dev.lifeboat.repository.region;

import dev.lifeboat.repository.Layout;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.store.Leftovers;
import dev.lifeboat.repository.store.ObjectInfo;
import dev.lifeboat.repository.store.ObjectStore;
import dev.lifeboat.repository.store.StoreException;
import dev.lifeboat.repository.store.StoreFeatures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A repository spread over several regions, primary first. It is itself an {@link ObjectStore}, so everything above
 * it is unaware of regions.
 *
 * <ul>
 *   <li><b>Writes</b> go to the regions in order until {@code commitAfter} of them hold the object (normally the
 *       primary alone); only then does the write return. The other regions get a copy in the background. If the
 *       primary is down, the next regions take the write, so backups keep committing through a regional outage.</li>
 *   <li><b>Reads</b> try the regions in order and return the first answer: an object missing or unreachable in one
 *       region is read from the next, and one its reader found damaged too ({@link #getIntact}).</li>
 *   <li><b>Listings</b> are the union over the reachable regions; {@link #listEverywhere}, for prune, fails unless
 *       every region answered.</li>
 *   <li><b>Deletes</b> go to every region; a region that misses a delete keeps a harmless extra object until
 *       {@code repo sync --prune}; {@link #deleteEverywhere}, for snapshots and indexes, fails instead.</li>
 * </ul>
 * Background copies that have not finished when the process exits are not lost work: {@link RegionStatus} shows
 * the lag, and {@link RegionSync} repairs it.
 */
public final class RegionSet implements ObjectStore {
    private final List<Region> regions;
    private final int commitAfter;
    /**
     * One copier per region, first in first out: a region receives objects in the order they were committed, so a
     * pack lands before the index that lists it and a snapshot after its index (several threads did not keep that).
     */
    private final java.util.Map<String, ExecutorService> copiers = new java.util.LinkedHashMap<>();
    /** Per region, objects whose background copy failed; retried before anything that may refer to them is copied. */
    private final java.util.Map<String, java.util.Set<String>> missing = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong pending = new AtomicLong();
    /** Per region, background copies that failed so far (a region going down shows here first). */
    private final java.util.Map<String, AtomicLong> failed = new java.util.concurrent.ConcurrentHashMap<>();

    private long failures(Region r) {
        AtomicLong f = failed.get(r.name());
        return f == null ? 0 : f.get();
    }

    /** Per region, background copies queued or running. */
    private final java.util.Map<String, AtomicLong> queued = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * Per object name with background copies pending: the generation of its newest write or delete, and how many
     * copies are pending; a copy of an older generation is skipped. An entry goes with its last pending copy, so a
     * long-running agent does not keep one per WAL piece it ever wrote.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Tracked> generation = new java.util.concurrent.ConcurrentHashMap<>();

    private record Tracked(long generation, int pending) {
    }
    private final Object[] stripes = new Object[64];

    public RegionSet(List<Region> regions, int commitAfter) {
        if (regions.isEmpty() || commitAfter < 1 || commitAfter > regions.size()) {
            throw new IllegalArgumentException("need 1 <= commitAfter <= " + regions.size());
        }
        this.regions = List.copyOf(regions);
        this.commitAfter = commitAfter;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
        for (Region region : this.regions) {
            copiers.put(region.name(), Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "lifeboat-region-copy-" + region.name());
                t.setDaemon(true);
                return t;
            }));
        }
    }

    public List<Region> regions() {
        return regions;
    }

    public int commitAfter() {
        return commitAfter;
    }

    @Override
    public void put(String name, byte[] data) {
        write(name, r -> {
            r.store().put(name, data);
            return true;
        }, r -> r.store().put(name, data));
    }

    @Override
    public boolean putIfAbsent(String name, byte[] data) {
        Boolean[] created = {null};
        write(name, r -> {
            boolean c = r.store().putIfAbsent(name, data);
            if (created[0] == null) {
                created[0] = c;
            }
            return true;
        }, r -> r.store().putIfAbsent(name, data));
        return created[0];
    }

    /** Synchronous writes until {@code commitAfter} regions succeed; background copies for the rest. */
    private void write(String name, Function<Region, Boolean> sync, java.util.function.Consumer<Region> async) {
        // Reserve a pending copy per region up front, so the entry cannot go while this write decides where to copy.
        int reserved = regions.size();
        long gen = generation.compute(name, (k, t) -> t == null ? new Tracked(1, reserved)
                : new Tracked(t.generation() + 1, t.pending() + reserved)).generation();
        int committed = 0;
        StoreException last = null;
        List<Region> rest = new ArrayList<>();
        // Locks go to every region at once: a holder cut off from one region must still look alive to a process that
        // reads them there (reads of locks take the newest copy, see get).
        boolean everywhere = name.startsWith(Layout.LOCKS);
        // An index or snapshot goes straight only to regions that hold everything written before it: one whose earlier
        // copies failed or are still queued might lack the packs it lists, and a crash would leave it that way.
        boolean refersToOthers = name.startsWith(Layout.INDEX) || name.startsWith(Layout.SNAPSHOTS);
        List<Region> lagging = new ArrayList<>();
        for (Region r : regions) {
            if (committed >= commitAfter && !everywhere) {
                rest.add(r);
                continue;
            }
            if (refersToOthers && lagging(r)) {
                lagging.add(r);
                continue;
            }
            try {
                sync.apply(r);
                committed++;
            } catch (StoreException e) {
                last = e;
                rest.add(r);
            }
        }
        // Too few regions without a lag to commit: bring a lagging one level first (its queue done, its failed copies
        // made good), then write to it; else it gets its copy in order, in the background.
        // The region most likely to come level soon first: no failed copies, then the shortest queue.
        lagging.sort(java.util.Comparator.comparingLong((Region r) -> failures(r) > 0 || !missing.getOrDefault(r.name(), java.util.Set.of()).isEmpty() ? 1 : 0)
                .thenComparingLong(r -> queued.getOrDefault(r.name(), new AtomicLong()).get()));
        for (Region r : lagging) {
            if (committed < commitAfter && catchUpNow(r)) {
                try {
                    sync.apply(r);
                    committed++;
                    continue;
                } catch (StoreException e) {
                    last = e;
                }
            }
            rest.add(r);
        }
        if (committed < commitAfter) {
            release(name, reserved);
            // Keep the underlying kind: a refusal (credentials, permissions) is not worth retrying.
            StoreException.Kind kind = last != null && last.kind() == StoreException.Kind.PERMANENT
                    ? StoreException.Kind.PERMANENT : StoreException.Kind.RETRYABLE;
            throw new StoreException(kind, name, "only " + committed + " of the " + commitAfter
                    + " region(s) needed to commit could store " + name + (last != null ? ": " + last.getMessage() : ""), last);
        }
        // An object that refers to others (an index to its packs, a snapshot to its index) is copied to a region only
        // once the copies that failed there earlier have been made good: it might refer to what did not arrive. A
        // snapshot also refers to blobs earlier processes wrote (deduplication), whose copies may have failed or never
        // run before those processes exited: the region first catches up with a region that holds the snapshot.
        boolean refers = name.startsWith(Layout.INDEX) || name.startsWith(Layout.SNAPSHOTS);
        boolean snapshot = name.startsWith(Layout.SNAPSHOTS);
        List<Region> holders = regions.stream().filter(r -> !rest.contains(r)).toList();
        release(name, reserved - rest.size());
        for (Region r : rest) {
            pending.incrementAndGet();
            AtomicLong inQueue = queued.computeIfAbsent(r.name(), k -> new AtomicLong());
            inQueue.incrementAndGet();
            copiers.get(r.name()).execute(() -> {
                java.util.Set<String> lost = missing.computeIfAbsent(r.name(), k -> java.util.concurrent.ConcurrentHashMap.newKeySet());
                try {
                    // A snapshot, or an index while a snapshot waits among the missed copies: catch up first, then
                    // make good what this process missed.
                    boolean catchUp = snapshot || refers && lost.stream().anyMatch(n -> n.startsWith(Layout.SNAPSHOTS));
                    if (catchUp && !catchUp(r, holders) || refers && !repair(r, lost)) {
                        lost.add(name);
                        failed.computeIfAbsent(r.name(), k -> new AtomicLong()).incrementAndGet();
                        return;
                    }
                    synchronized (stripe(name)) {
                        Tracked t = generation.get(name);
                        if (t != null && t.generation() == gen) {
                            async.accept(r);
                        }
                    }
                } catch (RuntimeException e) {
                    lost.add(name);
                    failed.computeIfAbsent(r.name(), k -> new AtomicLong()).incrementAndGet();
                } finally {
                    release(name, 1);
                    inQueue.decrementAndGet();
                    pending.decrementAndGet();
                }
            });
        }
    }

    /** Whether {@code r} may lack something written before now: copies to it queued, running or failed. */
    private boolean lagging(Region r) {
        AtomicLong q = queued.get(r.name());
        java.util.Set<String> lost = missing.get(r.name());
        return q != null && q.get() > 0 || lost != null && !lost.isEmpty();
    }

    /**
     * How long a write needing a lagging region to commit waits for that region's queued copies: a backlog of packs
     * after a regional failover takes minutes, and the backup is committed only once a region holds them.
     */
    static final long CATCH_UP_WAIT_SECONDS = 600;

    /**
     * Brings {@code r} level for a write that needs it to commit: its failed copies made good first (a region that
     * fails them now is not waited for), then its queued copies waited for, up to {@link #CATCH_UP_WAIT_SECONDS}.
     */
    private boolean catchUpNow(Region r) {
        java.util.Set<String> lost = missing.computeIfAbsent(r.name(), k -> java.util.concurrent.ConcurrentHashMap.newKeySet());
        if (!lost.isEmpty() && !repair(r, lost)) {
            return false;
        }
        // Wait for the queue, but not on a region that starts failing meanwhile (one that went down fails each queued
        // copy only after its retries, and would hold the write for the whole wait).
        long failuresBefore = failures(r);
        java.util.concurrent.Future<?> barrier;
        try {
            barrier = copiers.get(r.name()).submit(() -> { }); // one thread, first in first out
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            return false;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CATCH_UP_WAIT_SECONDS);
        while (true) {
            try {
                barrier.get(1, TimeUnit.SECONDS);
                break;
            } catch (java.util.concurrent.TimeoutException e) {
                if (failures(r) > failuresBefore || System.nanoTime() > deadline) {
                    return false;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return lost.isEmpty() || repair(r, lost);
    }

    /**
     * Waits up to {@code millis} for the copies queued so far (by any thread of this process) to every region, not for
     * those queued later: a barrier at the end of each region's queue. Whether all were reached in time.
     */
    @Override
    public boolean awaitQueuedCopies(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        List<java.util.concurrent.Future<?>> barriers = new ArrayList<>();
        for (ExecutorService copier : copiers.values()) {
            try {
                barriers.add(copier.submit(() -> { }));
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // Closing: what is queued still runs; wait for that instead.
                try {
                    if (!copier.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        return false;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        for (java.util.concurrent.Future<?> b : barriers) {
            try {
                b.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Gives back {@code count} reserved or finished copies of {@code name}; the entry goes with the last. */
    private void release(String name, int count) {
        if (count > 0) {
            generation.computeIfPresent(name, (k, t) -> t.pending() <= count ? null : new Tracked(t.generation(), t.pending() - count));
        }
    }

    private <T> T read(String name, Function<ObjectStore, T> call) {
        StoreException first = null;
        for (Region r : regions) {
            try {
                return call.apply(r.store());
            } catch (StoreException e) {
                if (first == null || first.kind() == StoreException.Kind.NOT_FOUND && e.kind() != StoreException.Kind.NOT_FOUND) {
                    first = e;
                }
            }
        }
        throw first;
    }

    @Override
    public byte[] get(String name) {
        if (name.startsWith(Layout.LOCKS)) {
            return newest(name);
        }
        return read(name, s -> s.get(name));
    }

    /**
     * A lock as last refreshed: the copy written last among the regions that answer. A holder that cannot reach one
     * region refreshes its lock in the others; the stale copy left in the first must not make it look dead.
     */
    private byte[] newest(String name) {
        Region newest = null;
        java.time.Instant at = null;
        for (Region r : regions) {
            try {
                Optional<ObjectInfo> info = r.store().stat(name);
                if (info.isPresent() && (at == null || info.get().modified().isAfter(at))) {
                    newest = r;
                    at = info.get().modified();
                }
            } catch (StoreException e) {
                // unreachable: the others decide
            }
        }
        if (newest == null) {
            return read(name, s -> s.get(name));
        }
        try {
            return newest.store().get(name);
        } catch (StoreException e) {
            return read(name, s -> s.get(name));
        }
    }

    @Override
    public byte[] get(String name, long offset, int length) {
        return read(name, s -> s.get(name, offset, length));
    }

    /** The first region's answer that has the object; empty when the regions that answered lack it; throws when none answered. */
    @Override
    public Optional<ObjectInfo> stat(String name) {
        StoreException unreachable = null;
        int answered = 0;
        for (Region r : regions) {
            try {
                Optional<ObjectInfo> info = r.store().stat(name);
                if (info.isPresent()) {
                    return info;
                }
                answered++;
            } catch (StoreException e) {
                unreachable = e;
            }
        }
        if (answered == 0) {
            throw unreachable;
        }
        return Optional.empty();
    }

    @Override
    public boolean certainlyAbsent(String name) {
        for (Region r : regions) {
            if (!r.store().certainlyAbsent(name)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        Map<String, ObjectInfo> union = new LinkedHashMap<>();
        int reachable = 0;
        StoreException last = null;
        for (Region r : regions) {
            try {
                for (ObjectInfo info : r.store().list(prefix)) {
                    union.putIfAbsent(info.name(), info);
                }
                reachable++;
            } catch (StoreException e) {
                last = e;
            }
        }
        if (reachable == 0) {
            throw last;
        }
        return new ArrayList<>(union.values());
    }

    /** The longest retention any region locks objects with. */
    @Override
    public Optional<java.time.Duration> retention() {
        return regions.stream().map(r -> r.store().retention()).flatMap(Optional::stream).max(java.time.Duration::compareTo);
    }

    /** Extends the retention in every region that locks objects; a region that lacks the object is skipped. */
    @Override
    public void extendRetention(String name) {
        StoreException last = null;
        for (Region r : regions) {
            if (r.store().retention().isEmpty()) {
                continue;
            }
            try {
                r.store().extendRetention(name);
            } catch (StoreException e) {
                if (e.kind() != StoreException.Kind.NOT_FOUND) {
                    last = e;
                }
            }
        }
        if (last != null) {
            throw last;
        }
    }

    /** The first region's copy that passes {@code intact}: a bit-rotted copy in one region is read from another. */
    @Override
    public byte[] getIntact(String name, java.util.function.Predicate<byte[]> intact) {
        byte[] first = null;
        StoreException failure = null;
        for (Region r : regions) {
            try {
                byte[] copy = r.store().get(name);
                if (intact.test(copy)) {
                    return copy;
                }
                first = first == null ? copy : first;
            } catch (StoreException e) {
                failure = failure == null || failure.kind() == StoreException.Kind.NOT_FOUND ? e : failure;
            }
        }
        if (first != null) {
            return first;
        }
        throw failure;
    }

    /** The union over every region; a region that does not answer fails it (see {@link ObjectStore#listEverywhere}). */
    @Override
    public List<ObjectInfo> listEverywhere(String prefix) {
        Map<String, ObjectInfo> union = new LinkedHashMap<>();
        for (Region r : regions) {
            try {
                for (ObjectInfo info : r.store().list(prefix)) {
                    union.putIfAbsent(info.name(), info);
                }
            } catch (StoreException e) {
                throw new StoreException(e.kind() == StoreException.Kind.PERMANENT ? StoreException.Kind.PERMANENT : StoreException.Kind.RETRYABLE,
                        prefix, "region " + r.name() + " did not answer its listing of " + (prefix.isEmpty() ? "objects" : prefix)
                        + ", and deciding what to delete needs every region's: " + e.getMessage(), e);
            }
        }
        return new ArrayList<>(union.values());
    }

    /** Deletes from every region, or throws naming those that kept it (see {@link ObjectStore#deleteEverywhere}). */
    @Override
    public void deleteEverywhere(String name) {
        List<String> kept = new ArrayList<>();
        StoreException last = null;
        synchronized (stripe(name)) {
            generation.computeIfPresent(name, (k, t) -> new Tracked(t.generation() + 1, t.pending()));
            for (Region r : regions) {
                try {
                    r.store().delete(name);
                } catch (StoreException e) {
                    kept.add(r.name());
                    last = e;
                }
            }
        }
        if (last != null) {
            throw new StoreException(StoreException.Kind.RETRYABLE, name, name + " could not be deleted in region(s) " + String.join(", ", kept)
                    + ": " + last.getMessage(), last);
        }
    }

    /** Every reachable region's leftovers; a region that does not answer has none to count today. */
    @Override
    public Leftovers leftovers(java.time.Instant before) {
        return eachReachable(store -> store.leftovers(before));
    }

    /** Removes every reachable region's leftovers; one that does not answer keeps them for the next prune. */
    @Override
    public Leftovers removeLeftovers(java.time.Instant before) {
        return eachReachable(store -> store.removeLeftovers(before));
    }

    private Leftovers eachReachable(java.util.function.Function<ObjectStore, Leftovers> call) {
        Leftovers all = Leftovers.NONE;
        for (Region r : regions) {
            try {
                all = all.plus(call.apply(r.store()));
            } catch (StoreException e) {
                // housekeeping only: the leftovers hold no data and wait for the next prune
                all = all.plus(Leftovers.unknown("region " + r.name() + ": " + e.getMessage()));
            }
        }
        return all;
    }

    /**
     * Deletes everywhere. Pending background copies of the object are cancelled first, so a delete can never be
     * undone by a copy that was still on its way.
     */
    @Override
    public void delete(String name) {
        StoreException last = null;
        int done = 0;
        synchronized (stripe(name)) {
            generation.computeIfPresent(name, (k, t) -> new Tracked(t.generation() + 1, t.pending()));
            for (Region r : regions) {
                try {
                    r.store().delete(name);
                    done++;
                } catch (StoreException e) {
                    last = e;
                }
            }
        }
        if (done == 0) {
            throw last;
        }
    }

    /**
     * Copies again, from a region that holds them, the objects whose copy to {@code r} failed; one deleted meanwhile
     * (prune) is no longer wanted. Returns whether none is missing any more.
     */
    private boolean repair(Region r, java.util.Set<String> lost) {
        List<String> order = new ArrayList<>(lost);
        order.sort(java.util.Comparator.comparingInt(RegionSet::referenceRank).thenComparing(n -> n));
        for (String name : order) {
            try {
                byte[] data = null;
                for (Region other : regions) {
                    if (other != r) {
                        try {
                            data = other.store().get(name);
                            break;
                        } catch (StoreException e) {
                            // try the next region
                        }
                    }
                }
                if (data != null) {
                    putUnlessDeleted(r, name, data);
                } else if (regions.stream().filter(o -> o != r).anyMatch(o -> o.store().list(name).stream().anyMatch(i -> i.name().equals(name)))) {
                    return false; // it exists but cannot be read now
                }
                lost.remove(name);
            } catch (RuntimeException e) {
                return false;
            }
        }
        return lost.isEmpty();
    }

    /**
     * Writes a repaired or caught-up copy to {@code r}, unless the object is gone from every other region by now
     * (a prune deleted it since it was read): under the object's stripe, so a delete in this process cannot slip
     * between the check and the write and be undone by it.
     */
    private void putUnlessDeleted(Region r, String name, byte[] data) {
        synchronized (stripe(name)) {
            for (Region other : regions) {
                if (other != r) {
                    boolean present;
                    try {
                        present = other.store().stat(name).isPresent();
                    } catch (StoreException e) {
                        continue; // ask the next region
                    }
                    if (present) {
                        r.store().put(name, data); // a failure here is the copy's, never taken for "deleted meanwhile"
                        return;
                    }
                }
            }
        }
    }

    /** Copies to {@code r} the packs and indexes the first reachable holder has and it lacks; whether that worked. */
    private boolean catchUp(Region r, List<Region> holders) {
        for (Region from : holders) {
            try {
                // A pack skipped as damaged in the holder is not caught up: the next holder may have it whole.
                if (RegionSync.catchUp(from, r, (name, data) -> putUnlessDeleted(r, name, data)).skipped().isEmpty()) {
                    return true;
                }
            } catch (RuntimeException e) {
                // the next holder, if any
            }
        }
        return false;
    }

    /** Copy order within a region: packs and other objects, then indexes (which list packs), then snapshots. */
    static int referenceRank(String name) {
        return name.startsWith(Layout.SNAPSHOTS) ? 2 : name.startsWith(Layout.INDEX) ? 1 : 0;
    }

    private Object stripe(String name) {
        return stripes[Math.floorMod(name.hashCode(), stripes.length)];
    }

    @Override
    public StoreFeatures features() {
        StoreFeatures p = regions.get(0).store().features();
        return new StoreFeatures(p.atomicConditionalPut() && regions.size() == 1, p.versioning(), p.objectLock());
    }

    @Override
    public String location() {
        return regions.size() == 1 ? regions.get(0).store().location()
                : String.join(" + ", regions.stream().map(r -> r.name() + "=" + r.store().location()).toList());
    }

    /** Object names with background copies pending (for tests: nothing is kept per object once its copies are done). */
    int trackedNames() {
        return generation.size();
    }

    /** Background copies still running. */
    public long pendingCopies() {
        return pending.get();
    }

    /** Background copies that failed and were not made good since (their regions lag until 'repo sync'). */
    public long failedCopies() {
        return missing.values().stream().mapToLong(java.util.Set::size).sum();
    }

    /** True once every background copy of this process has been made (none pending, none failed). */
    @Override
    public boolean awaitCopies(long millis) {
        return drain(millis) == 0 && failedCopies() == 0;
    }

    /** Waits up to {@code millis} for background copies; returns those still pending. */
    public long drain(long millis) {
        long deadline = System.currentTimeMillis() + millis;
        while (pending.get() > 0 && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return pending.get();
    }

    @Override
    public void close() {
        copiers.values().forEach(ExecutorService::shutdown);
        try {
            for (ExecutorService c : copiers.values()) {
                c.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        regions.forEach(r -> r.store().close());
    }

    /** Finds a region by name. */
    public Region region(String name) {
        return regions.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow(() -> new LifeboatException(ErrorCode.USAGE,
                "no region '" + name + "'", "Regions: " + String.join(", ", regions.stream().map(Region::name).toList()) + "."));
    }
}
