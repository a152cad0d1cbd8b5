package dev.lifeboat.repository.region;

import dev.lifeboat.repository.Layout;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.pack.PackNames;
import dev.lifeboat.repository.store.ObjectInfo;
import dev.lifeboat.repository.store.ObjectStore;
import dev.lifeboat.repository.store.StoreException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Brings one region level with another after an outage: copies every object the target lacks, and replaces
 * content-addressed objects whose bytes do not match their name. Everything copied is verified first: a
 * content-addressed object only if its SHA-256 matches its name; a damaged source object is skipped and reported,
 * never spread. With {@code prune}, objects the source does not have are deleted from the target (what prune
 * deleted while the region was away). Locks are never copied.
 */
public final class RegionSync {
    private RegionSync() {
    }

    /**
     * What a sync did.
     *
     * @param copied   objects written to the target
     * @param bytes    bytes written
     * @param repaired target objects that were damaged and were replaced
     * @param deleted  target objects the source lacks, deleted (only with prune)
     * @param skipped  source objects that failed verification and were not copied
     */
    public record Result(long copied, long bytes, long repaired, long deleted, List<String> skipped) {
    }

    /**
     * What a sync would do, from the two listings alone (nothing is read, written or deleted; whether the target's
     * objects are damaged is not checked): the objects the target lacks, and with {@code prune} those it would delete.
     *
     * @throws dev.lifeboat.core.error.LifeboatException {@code usage} with {@code prune} when the source lists no
     *                                                   repository, as the sync itself would
     */
    public static Preview preview(Region from, Region to, boolean prune) {
        java.util.Set<String> have = new java.util.HashSet<>();
        List<ObjectInfo> targetObjects = to.store().list("");
        targetObjects.forEach(i -> have.add(i.name()));
        List<ObjectInfo> wanted = from.store().list("");
        java.util.Set<String> inSource = new java.util.HashSet<>();
        wanted.forEach(i -> inSource.add(i.name()));
        long copies = 0;
        long bytes = 0;
        for (ObjectInfo info : wanted) {
            if (!info.name().startsWith(Layout.LOCKS) && !have.contains(info.name())) {
                copies++;
                bytes += info.size();
            }
        }
        List<String> deletions = new ArrayList<>();
        if (prune) {
            refuseEmptySource(from, to, inSource);
            refuseNewerInTarget(from, to, wanted, targetObjects);
            have.stream().filter(n -> !inSource.contains(n) && !n.startsWith(Layout.LOCKS)).sorted().forEach(deletions::add);
        }
        return new Preview(copies, bytes, deletions);
    }

    /** What {@link #preview} found: objects and bytes to copy, objects to delete. */
    public record Preview(long copies, long bytes, List<String> deletions) {
    }

    /**
     * A snapshot only the target holds was most likely taken while the source was down (writes commit to the next
     * region then, and a later process never copies them back), not forgotten by a prune: prune deletes forgotten
     * snapshots from every region or stops. Deleting it would delete the only copy of those backups, however many
     * backups came since.
     */
    private static void refuseNewerInTarget(Region from, Region to, List<ObjectInfo> source, List<ObjectInfo> target) {
        java.util.Set<String> inSource = new java.util.HashSet<>();
        source.forEach(i -> inSource.add(i.name()));
        long only = target.stream().filter(i -> i.name().startsWith(Layout.SNAPSHOTS) && !inSource.contains(i.name())).count();
        if (only > 0) {
            throw new dev.lifeboat.core.error.LifeboatException(dev.lifeboat.core.error.ErrorCode.USAGE, "region " + to.name() + " holds "
                    + only + " snapshot(s) that region " + from.name() + " lacks (taken while " + from.name() + " was down?), so --prune "
                    + "deletes nothing from it", "Copy them the other way first: lifeboat repo sync --from " + to.name() + " --to "
                    + from.name() + ". If a prune stopped half-way while a region was down, run 'lifeboat repo prune' again instead: it "
                    + "deletes the snapshots it forgets from every region.");
        }
    }

    private static void refuseEmptySource(Region from, Region to, java.util.Set<String> inSource) {
        // A source that lists no repository (an unmounted disk lists as empty) would have the target emptied.
        if (!inSource.contains(Layout.CONFIG) || inSource.stream().noneMatch(n -> n.startsWith(Layout.KEYS))) {
            throw new dev.lifeboat.core.error.LifeboatException(dev.lifeboat.core.error.ErrorCode.USAGE, "region " + from.name()
                    + " lists no repository (no config or keys), so nothing is deleted from region " + to.name(),
                    "Check that region " + from.name() + " is reachable and mounted; sync without --prune copies only.");
        }
    }

    public static Result run(Region from, Region to, boolean verifyExisting, boolean prune, Progress progress) {
        return run(from, to, verifyExisting, prune, progress, () -> { });
    }

    /** As above, calling {@code beforeDelete} before each deletion (the caller's lock check). */
    public static Result run(Region from, Region to, boolean verifyExisting, boolean prune, Progress progress, Runnable beforeDelete) {
        return sync(from, to, List.of(""), verifyExisting, prune, progress, (name, data) -> to.store().put(name, data), beforeDelete);
    }

    /** How a sync writes a copy to the target. */
    @FunctionalInterface
    public interface Writer {
        void put(String name, byte[] data);
    }

    /**
     * Copies to {@code to} the packs and index objects it lacks ({@code repo sync} restricted to what snapshots refer
     * to, without checking what it holds). A snapshot is copied to a region only after this: the blobs it refers to
     * may have been written by an earlier process whose copies to that region failed or never ran.
     */
    public static Result catchUp(Region from, Region to, Writer writer) {
        return sync(from, to, List.of(Layout.DATA, Layout.INDEX), false, false, Progress.NONE, writer, () -> { });
    }

    private static Result sync(Region from, Region to, List<String> prefixes, boolean verifyExisting, boolean prune, Progress progress,
                               Writer writer, Runnable beforeDelete) {
        ObjectStore source = from.store();
        ObjectStore target = to.store();
        Map<String, ObjectInfo> have = new HashMap<>();
        List<ObjectInfo> wanted = new ArrayList<>();
        for (String prefix : prefixes) {
            for (ObjectInfo info : target.list(prefix)) {
                have.put(info.name(), info);
            }
            wanted.addAll(source.list(prefix));
        }
        // Packs first, then what refers to them (indexes, then snapshots), so a copy cut short never leaves a region
        // whose index lists a pack it lacks; listings come in no reliable order (a filesystem's is arbitrary).
        wanted.sort(java.util.Comparator.comparingInt((ObjectInfo i) -> RegionSet.referenceRank(i.name())).thenComparing(ObjectInfo::name));
        if (prune) { // refused before anything is copied, so a refusal changes nothing
            java.util.Set<String> listed = new java.util.HashSet<>();
            wanted.forEach(i -> listed.add(i.name()));
            refuseEmptySource(from, to, listed);
            refuseNewerInTarget(from, to, wanted, new ArrayList<>(have.values()));
        }
        long total = wanted.stream().mapToLong(ObjectInfo::size).sum();
        long done = 0;
        long copied = 0;
        long bytes = 0;
        long repaired = 0;
        List<String> skipped = new ArrayList<>();
        boolean packSkipped = false;
        for (ObjectInfo info : wanted) {
            String name = info.name();
            done += info.size();
            progress.update(done, total, copied);
            if (name.startsWith(Layout.LOCKS)) {
                continue;
            }
            if (packSkipped && RegionSet.referenceRank(name) > 0 && !have.containsKey(name)) {
                // Indexes and snapshots come after every pack (sorted): once a pack was not copied, one of them may
                // list it, and the target would hold what it cannot read. The target keeps what it had.
                skipped.add(name + " (held back: a pack it may list was not copied)");
                continue;
            }
            ObjectInfo existing = have.get(name);
            boolean damaged = false;
            if (existing != null) {
                if (!verifyExisting || !contentAddressed(name)) {
                    continue;
                }
                try {
                    damaged = !matches(name, target.get(name));
                } catch (StoreException e) {
                    damaged = true;
                }
                if (!damaged) {
                    continue;
                }
            }
            byte[] data;
            try {
                data = source.get(name);
            } catch (StoreException e) {
                if (e.kind() == StoreException.Kind.NOT_FOUND) {
                    continue; // deleted since it was listed (a prune): no longer wanted
                }
                throw e;
            }
            if (contentAddressed(name) && !matches(name, data)) {
                skipped.add(name + " (damaged in " + from.name() + ")");
                packSkipped |= RegionSet.referenceRank(name) == 0;
                continue;
            }
            writer.put(name, data);
            copied++;
            bytes += data.length;
            if (damaged) {
                repaired++;
            }
        }
        long deleted = 0;
        if (prune) {
            java.util.Set<String> inSource = new java.util.HashSet<>();
            wanted.forEach(i -> inSource.add(i.name()));
            for (String name : have.keySet()) {
                if (!inSource.contains(name) && !name.startsWith(Layout.LOCKS)) {
                    beforeDelete.run();
                    target.delete(name);
                    deleted++;
                }
            }
        }
        return new Result(copied, bytes, repaired, deleted, skipped);
    }

    /** Packs, indexes and snapshots are named by the SHA-256 of their bytes. */
    static boolean contentAddressed(String name) {
        return name.startsWith(Layout.DATA) || name.startsWith(Layout.INDEX) || name.startsWith(Layout.SNAPSHOTS);
    }

    private static boolean matches(String name, byte[] data) {
        String expected = name.substring(name.lastIndexOf('/') + 1);
        return PackNames.sha256(data).equals(expected);
    }
}
