package dev.lifeboat.repository.prune;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.KeepPolicy;
import dev.lifeboat.repository.Layout;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.chunk.ChunkId;
import dev.lifeboat.repository.codec.DamagedObjectException;
import dev.lifeboat.repository.files.TreeEntry;
import dev.lifeboat.repository.files.TreeReader;
import dev.lifeboat.repository.pack.PackNames;
import dev.lifeboat.repository.pack.PackWriter;
import dev.lifeboat.repository.pack.PackedBlob;
import dev.lifeboat.repository.retention.Decision;
import dev.lifeboat.repository.retention.Retention;
import dev.lifeboat.repository.store.Leftovers;
import dev.lifeboat.repository.store.ObjectInfo;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Removes expired snapshots and the data only they needed. Must run under the repository's exclusive lock, which
 * keeps backups out: a backup deduplicating against a blob prune is deleting is impossible by construction.
 *
 * <p>Order, each step safe to crash after: (1) delete forgotten snapshot manifests; (2) copy the used blobs of
 * mostly-unused packs into new packs; (3) write one new index of every surviving blob; (4) delete the old index
 * objects; (5) delete packs no index lists any more. A crash leaves at worst duplicate index entries or unindexed
 * packs, which the next prune collects; never a snapshot missing data. What interrupted writes left in the store
 * ({@link Leftovers}) goes after the snapshot manifests.
 */
public final class Pruner {
    /** Packs with more than this share unused are repacked; below it the waste is kept. */
    static final double REPACK_THRESHOLD = 0.25;
    /**
     * Packs in no index younger than this may belong to a backup still writing (on a host whose lock went stale);
     * the same holds for a store's {@link Leftovers}.
     */
    static final Duration ORPHAN_GRACE = Duration.ofHours(1);

    private final Repository repo;
    private final Clock clock;

    public Pruner(Repository repo, Clock clock) {
        this.repo = repo;
        this.clock = clock;
    }

    /**
     * Plans a prune. {@code policies} gives the keep policy for a snapshot name; a name without one keeps every
     * snapshot.
     */
    public PrunePlan plan(Function<String, Optional<KeepPolicy>> policies) {
        return plan(policies, (name, decisions) -> decisions);
    }

    /**
     * As {@link #plan(Function)}; {@code keepAlso} sees each name's decisions (newest first) and may keep more
     * (never fewer): a kind of snapshot the policy cannot judge alone, e.g. the backup a PostgreSQL cluster's newest
     * timeline must start from.
     */
    public PrunePlan plan(Function<String, Optional<KeepPolicy>> policies,
                          java.util.function.BiFunction<String, List<Decision>, List<Decision>> keepAlso) {
        // Every region must answer: one that did not would hide what only it holds (the newest snapshots often live in
        // the primary alone while the others catch up), and their data would look unused.
        Set<String> everySnapshot = names(repo.store().listEverywhere(Layout.SNAPSHOTS));
        Set<String> everyIndex = names(repo.store().listEverywhere(Layout.INDEX));
        List<ObjectInfo> everyPack = repo.store().listEverywhere(Layout.DATA);
        repo.reloadIndex();
        List<Snapshot> all = repo.snapshots().list();
        Set<String> read = new HashSet<>();
        all.forEach(s -> read.add(s.objectName()));
        if (!read.equals(everySnapshot) || !new HashSet<>(repo.index().indexObjects()).equals(everyIndex)) {
            throw new LifeboatException(ErrorCode.STORE_UNAVAILABLE, "prune stopped before deciding anything: the snapshots and indexes it read "
                    + "are not those every region listed a moment before (a region stopped answering, or another process wrote)",
                    "Run the prune again once every region answers ('lifeboat repo status').");
        }
        Map<String, List<Snapshot>> byName = new LinkedHashMap<>();
        for (Snapshot s : all) {
            byName.computeIfAbsent(s.manifest().name(), k -> new ArrayList<>()).add(s);
        }
        List<Decision> decisions = new ArrayList<>();
        for (Map.Entry<String, List<Snapshot>> e : byName.entrySet()) {
            Optional<KeepPolicy> policy = policies.apply(e.getKey());
            if (policy.isEmpty()) {
                e.getValue().forEach(s -> decisions.add(new Decision(s, true, List.of("no keep policy for '" + e.getKey() + "'"))));
            } else {
                List<Decision> mine = Retention.apply(e.getValue(), policy.get(), clock.instant());
                List<Decision> adjusted = keepAlso.apply(e.getKey(), mine);
                for (int i = 0; i < mine.size(); i++) {
                    if (mine.get(i).keep() && !adjusted.get(i).keep() || mine.get(i).snapshot() != adjusted.get(i).snapshot()) {
                        throw new IllegalStateException("keepAlso may only keep more snapshots of " + e.getKey());
                    }
                }
                decisions.addAll(adjusted);
            }
        }
        List<String> forget = decisions.stream().filter(d -> !d.keep()).map(d -> d.snapshot().objectName()).toList();

        Set<ChunkId> used = new HashSet<>();
        for (Decision d : decisions) {
            if (d.keep()) {
                markUsed(d.snapshot(), used);
            }
        }
        Map<String, List<PackedBlob>> byPack = new HashMap<>();
        for (PackedBlob b : repo.index().all()) {
            byPack.computeIfAbsent(b.pack(), k -> new ArrayList<>()).add(b);
        }
        Map<String, ObjectInfo> packs = new HashMap<>();
        for (ObjectInfo info : everyPack) {
            String id = PackNames.packId(info.name());
            if (id != null) {
                packs.put(id, info);
            }
        }
        List<String> delete = new ArrayList<>();
        List<String> repack = new ArrayList<>();
        long freed = 0;
        long waste = 0;
        for (Map.Entry<String, List<PackedBlob>> e : new java.util.TreeMap<>(byPack).entrySet()) {
            ObjectInfo info = packs.get(e.getKey());
            if (info == null) {
                continue; // missing pack: verify reports it; nothing to delete
            }
            long usedBytes = e.getValue().stream().filter(b -> used.contains(b.id())).mapToLong(PackedBlob::length).sum();
            if (usedBytes == 0) {
                delete.add(info.name());
                freed += info.size();
            } else if (info.size() - usedBytes > REPACK_THRESHOLD * info.size()) {
                repack.add(info.name());
                freed += info.size() - usedBytes;
            } else {
                waste += info.size() - usedBytes;
            }
        }
        List<String> orphans = new ArrayList<>();
        List<String> young = new ArrayList<>();
        for (Map.Entry<String, ObjectInfo> e : new java.util.TreeMap<>(packs).entrySet()) {
            if (!byPack.containsKey(e.getKey())) {
                if (e.getValue().modified().isBefore(clock.instant().minus(ORPHAN_GRACE))) {
                    orphans.add(e.getValue().name());
                    freed += e.getValue().size();
                } else {
                    young.add(e.getValue().name());
                }
            }
        }
        boolean rewrite = !delete.isEmpty() || !repack.isEmpty() || repo.index().indexObjects().size() > 1;
        List<String> indexes = rewrite ? new ArrayList<>(new TreeSet<>(repo.index().indexObjects())) : List.of();
        Leftovers leftovers;
        try {
            leftovers = repo.store().leftovers(clock.instant().minus(ORPHAN_GRACE));
        } catch (dev.lifeboat.repository.store.StoreException e) {
            leftovers = Leftovers.unknown(e.getMessage()); // housekeeping never stops a prune: said, and tried again next time
        }
        return new PrunePlan(decisions, forget, delete, repack, orphans, young, indexes, freed + leftovers.bytes(), waste, leftovers);
    }

    private void markUsed(Snapshot s, Set<ChunkId> used) {
        for (String hex : s.manifest().tree()) {
            used.add(ChunkId.parse(hex));
        }
        TreeReader.forEach(repo, s, e -> {
            if (TreeEntry.FILE.equals(e.type())) {
                e.chunks().forEach(hex -> used.add(ChunkId.parse(hex)));
            }
        });
    }

    /** Deletes one object, once sure the lock this prune runs under is still held: a prune that lost it stops. */
    private void remove(String name) {
        repo.ensureLocksHeld();
        repo.store().delete(name);
    }

    /**
     * As {@link #remove}, from every region or the prune stops: a forgotten snapshot or a replaced index left in one
     * region would refer to packs deleted next (and a listing, the union of regions, would show it again).
     */
    private void removeEverywhere(String name) {
        repo.ensureLocksHeld();
        try {
            repo.store().deleteEverywhere(name);
        } catch (dev.lifeboat.repository.store.StoreException e) {
            throw new LifeboatException(ErrorCode.STORE_UNAVAILABLE, "prune stopped before deleting any pack: " + e.getMessage(),
                    "Run the prune again once every region answers; until then the packs stay, so nothing is lost.", e);
        }
    }

    private static Set<String> names(List<ObjectInfo> infos) {
        Set<String> out = new HashSet<>();
        infos.forEach(i -> out.add(i.name()));
        return out;
    }

    /** How long prune waits for other regions to receive what it wrote before it deletes what that replaces. */
    static final long COPY_WAIT_MILLIS = 120_000;

    /**
     * Carries out a plan made under the same lock; returns every object deleted, in order. Old indexes and packs are
     * deleted only once every region holds the new index and packs that replace them.
     *
     * @throws LifeboatException {@code store-unavailable} when a region has not received them (nothing they
     *                           replace was deleted)
     */
    public List<String> execute(PrunePlan plan) {
        List<String> deleted = deleteAndRepack(plan);
        extended = keepLocked(plan);
        return deleted;
    }

    private int extended;

    /** How many objects the last {@link #execute} extended the Object Lock retention of (0 where nothing is locked). */
    public int retentionExtended() {
        return extended;
    }

    /**
     * Where the store locks objects (S3 Object Lock), extends the lock of every object the kept snapshots still use
     * that was written more than half a period ago: a lock runs from each object's own write, and deduplicated packs
     * are never rewritten, so a pack written a year ago that today's snapshot uses would otherwise be unprotected.
     */
    private int keepLocked(PrunePlan plan) {
        Optional<java.time.Duration> retain = repo.store().retention();
        if (retain.isEmpty()) {
            return 0;
        }
        java.time.Instant due = clock.instant().minus(retain.get().dividedBy(2));
        repo.reloadIndex();
        Set<ChunkId> used = new HashSet<>();
        Set<String> keptSnapshots = new HashSet<>();
        for (Decision d : plan.decisions()) {
            if (d.keep()) {
                markUsed(d.snapshot(), used);
                keptSnapshots.add(d.snapshot().objectName());
            }
        }
        Set<String> livePacks = new HashSet<>();
        for (PackedBlob b : repo.index().all()) {
            if (used.contains(b.id())) {
                livePacks.add(PackNames.packObject(b.pack()));
            }
        }
        List<String> names = new ArrayList<>();
        for (ObjectInfo info : repo.store().list("")) {
            boolean live = livePacks.contains(info.name()) || info.name().startsWith(Layout.INDEX) || keptSnapshots.contains(info.name());
            if (live && info.modified().isBefore(due)) {
                names.add(info.name());
            }
        }
        List<String> failed = new ArrayList<>();
        for (String name : names) {
            try {
                repo.store().extendRetention(name);
            } catch (dev.lifeboat.repository.store.StoreException e) {
                failed.add(name + " (" + e.getMessage() + ")");
            }
        }
        if (!failed.isEmpty()) {
            throw new LifeboatException(ErrorCode.STORE_UNAVAILABLE, "prune finished, but the Object Lock retention of " + failed.size() + " of "
                    + names.size() + " object(s) still in use could not be extended: " + String.join(", ", failed.subList(0, Math.min(3, failed.size()))),
                    "They stay locked until their current retention ends; run the prune again when the store answers.");
        }
        return names.size();
    }

    private List<String> deleteAndRepack(PrunePlan plan) {
        List<String> deleted = new ArrayList<>();
        for (String name : plan.forget()) {
            removeEverywhere(name);
            deleted.add(name);
        }
        if (!plan.leftovers().isEmpty()) {
            repo.ensureLocksHeld();
            try {
                repo.store().removeLeftovers(clock.instant().minus(ORPHAN_GRACE));
            } catch (dev.lifeboat.repository.store.StoreException e) {
                // housekeeping only: what was not removed is found again by the next prune
            }
        }
        if (plan.deleteIndexes().isEmpty() && plan.orphanPacks().isEmpty()) {
            return deleted;
        }
        Set<ChunkId> used = new HashSet<>();
        for (Decision d : plan.decisions()) {
            if (d.keep()) {
                markUsed(d.snapshot(), used);
            }
        }
        Set<String> gone = new HashSet<>();
        plan.deletePacks().forEach(n -> gone.add(PackNames.packId(n)));
        plan.repackPacks().forEach(n -> gone.add(PackNames.packId(n)));
        List<PackedBlob> surviving = new ArrayList<>();
        Map<String, List<PackedBlob>> toCopy = new HashMap<>();
        for (PackedBlob b : repo.index().all()) {
            if (!gone.contains(b.pack())) {
                surviving.add(b);
            } else if (plan.repackPacks().contains(PackNames.packObject(b.pack())) && used.contains(b.id())) {
                toCopy.computeIfAbsent(b.pack(), k -> new ArrayList<>()).add(b);
            }
        }
        surviving.addAll(repack(toCopy));
        if (!plan.deleteIndexes().isEmpty()) {
            String fresh = repo.writeIndex(surviving);
            // Nothing old goes from any region before every region holds the new packs and index.
            if (!repo.store().awaitCopies(COPY_WAIT_MILLIS)) {
                throw new LifeboatException(ErrorCode.STORE_UNAVAILABLE, "prune wrote the new index and packs, but not every region has "
                        + "received them yet, so nothing they replace was deleted", "Bring the region back (or run 'lifeboat repo sync'), "
                        + "then prune again; the repository is consistent as it is.");
            }
            for (String old : plan.deleteIndexes()) {
                if (!old.equals(fresh)) {
                    removeEverywhere(old);
                    deleted.add(old);
                }
            }
        }
        for (String pack : plan.deletePacks()) {
            remove(pack);
            deleted.add(pack);
        }
        for (String pack : plan.repackPacks()) {
            remove(pack);
            deleted.add(pack);
        }
        for (String pack : plan.orphanPacks()) {
            remove(pack);
            deleted.add(pack);
        }
        repo.reloadIndex();
        return deleted;
    }

    /** Copies blobs, still sealed, into new packs; each is verified first so prune never spreads damage. */
    private List<PackedBlob> repack(Map<String, List<PackedBlob>> toCopy) {
        List<PackedBlob> out = new ArrayList<>();
        PackWriter writer = new PackWriter();
        for (Map.Entry<String, List<PackedBlob>> e : toCopy.entrySet()) {
            byte[] pack = repo.store().get(PackNames.packObject(e.getKey()));
            for (PackedBlob b : e.getValue()) {
                try {
                    repo.openBlob(b, pack, b.offset());
                } catch (DamagedObjectException ex) {
                    throw LifeboatException.of(ErrorCode.OBJECT_CORRUPT, "prune stopped before deleting anything more: chunk "
                            + b.id().shortHex() + " in " + PackNames.packObject(e.getKey()) + " is damaged (" + ex.getMessage() + ")");
                }
                writer.add(b.type(), b.id(), Arrays.copyOfRange(pack, b.offset(), b.offset() + b.length()), b.plainLength());
                if (writer.size() >= repo.config().packSize()) {
                    out.addAll(upload(writer));
                    writer = new PackWriter();
                }
            }
        }
        if (writer.count() > 0) {
            out.addAll(upload(writer));
        }
        return out;
    }

    private List<PackedBlob> upload(PackWriter writer) {
        PackWriter.Finished f = writer.finish(repo.sealer());
        repo.store().put(PackNames.packObject(f.id()), f.bytes(), 0, f.length());
        return f.blobs();
    }
}
