package dev.lifeboat.repository;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The last few whole packs read, least recently used out first. Restores read blobs in the order backups wrote
 * them, so fetching a whole pack once (one request to an object store) beats a ranged request per blob. Memory is
 * bounded by {@code capacity} packs (16 MiB each by default). Contents are checked by the caller blob by blob.
 */
final class PackCache {
    private final int capacity;
    private final Map<String, byte[]> packs;

    PackCache(int capacity) {
        this.capacity = capacity;
        this.packs = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
                return size() > PackCache.this.capacity;
            }
        };
    }

    /** Replaces a cached pack (with an intact copy read after the cached one failed a check). */
    void replace(String pack, byte[] bytes) {
        synchronized (packs) {
            packs.put(pack, bytes);
        }
    }

    /** The pack's bytes, fetched with {@code load} when not cached. Concurrent misses of one pack may fetch it twice. */
    byte[] get(String pack, Supplier<byte[]> load) {
        synchronized (packs) {
            byte[] hit = packs.get(pack);
            if (hit != null) {
                return hit;
            }
        }
        byte[] loaded = load.get();
        synchronized (packs) {
            packs.put(pack, loaded);
        }
        return loaded;
    }
}
