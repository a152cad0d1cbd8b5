package dev.lifeboat.repository.prune;

import dev.lifeboat.repository.retention.Decision;
import dev.lifeboat.repository.store.Leftovers;
import java.util.ArrayList;
import java.util.List;

/**
 * What a prune will do, computed under the exclusive lock; {@code --dry-run} prints it and stops.
 *
 * @param decisions       keep or forget, with reasons, for every snapshot
 * @param forget          snapshot objects to delete
 * @param deletePacks     packs no kept snapshot needs, deleted whole
 * @param repackPacks     packs mostly unused: their used blobs are copied to new packs, then they are deleted
 * @param orphanPacks     packs in no index, left by interrupted backups, deleted
 * @param keptOrphans     packs in no index but too recent to delete (a backup may still be writing)
 * @param deleteIndexes   index objects replaced by one new index
 * @param bytesFreed      bytes the deletions free, minus what repacking writes again
 * @param unusedBytesKept unused bytes left in packs not worth repacking
 * @param leftovers       what interrupted writes left (temporary files, unfinished uploads) older than the grace
 *                        period: removed too, and not among {@link #deletions()}, since they are no objects
 */
public record PrunePlan(List<Decision> decisions, List<String> forget, List<String> deletePacks, List<String> repackPacks,
                        List<String> orphanPacks, List<String> keptOrphans, List<String> deleteIndexes, long bytesFreed,
                        long unusedBytesKept, Leftovers leftovers) {

    /** Every object this plan deletes, in the order prune deletes them. */
    public List<String> deletions() {
        List<String> all = new ArrayList<>(forget);
        all.addAll(deleteIndexes);
        all.addAll(deletePacks);
        all.addAll(repackPacks);
        all.addAll(orphanPacks);
        return all;
    }

    public boolean changesAnything() {
        return !deletions().isEmpty() || !leftovers.isEmpty();
    }
}
