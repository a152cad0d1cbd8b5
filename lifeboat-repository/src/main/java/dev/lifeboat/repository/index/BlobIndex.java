package dev.lifeboat.repository.index;

import dev.lifeboat.repository.chunk.ChunkId;
import dev.lifeboat.repository.pack.PackedBlob;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every blob the repository's index objects know, by chunk id: the union of all {@code index/*} objects. A blob
 * listed twice (the same content written by two racing backups, or an index rewritten by prune) is found once.
 */
public final class BlobIndex {
    private final Map<ChunkId, PackedBlob> blobs = new ConcurrentHashMap<>();
    private final Set<String> indexObjects = ConcurrentHashMap.newKeySet();

    public void addAll(String indexObject, Collection<PackedBlob> entries) {
        indexObjects.add(indexObject);
        for (PackedBlob b : entries) {
            blobs.putIfAbsent(b.id(), b);
        }
    }

    public void add(PackedBlob b) {
        blobs.putIfAbsent(b.id(), b);
    }

    public Optional<PackedBlob> find(ChunkId id) {
        return Optional.ofNullable(blobs.get(id));
    }

    public boolean contains(ChunkId id) {
        return blobs.containsKey(id);
    }

    public Collection<PackedBlob> all() {
        return blobs.values();
    }

    /** The index objects this was loaded from. */
    public Set<String> indexObjects() {
        return indexObjects;
    }

    public int size() {
        return blobs.size();
    }
}
