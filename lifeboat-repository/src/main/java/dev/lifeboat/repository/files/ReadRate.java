package dev.lifeboat.repository.files;

import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.chunk.ChunkId;
import dev.lifeboat.repository.index.BlobIndex;
import dev.lifeboat.repository.pack.BlobType;
import dev.lifeboat.repository.pack.PackedBlob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How fast this host reads a snapshot back, for recovery estimates: a few whole packs of the snapshot, chosen
 * across all of it, fetched, authenticated and decompressed blob by blob by as many threads as a restore uses, the
 * way a restore reads them (after a short warm-up, since the first blobs of a process run before the JIT has
 * compiled the crypto). Reading one WAL segment instead, as estimates did first, measured mostly the JIT and gave
 * estimates from 0.6 to 2.6 times the real restore of the same 2.2 GiB backup.
 *
 * @param mbPerSecond plaintext megabytes per second
 * @param sampleBytes plaintext bytes read for the measurement
 */
public record ReadRate(double mbPerSecond, long sampleBytes, Duration took) {
    /** Packs read per thread. */
    static final int PACKS_PER_THREAD = 2;
    /** Chunk ids looked at across the snapshot to find packs spread over it. */
    static final int PROBES = 64;
    static final int WARM_UP_BLOBS = 64;

    public static ReadRate measure(Repository repo, Snapshot snapshot, int threads) {
        BlobIndex index = repo.index();
        long chunks = Math.max(1, snapshot.manifest().stats().chunks());
        long stride = Math.max(1, chunks / PROBES);
        int wanted = Math.max(1, threads) * PACKS_PER_THREAD;
        Set<String> packs = new LinkedHashSet<>();
        long[] seen = {0};
        try {
            TreeReader.forEach(repo, snapshot, index, e -> {
                if (e.chunks() == null || packs.size() >= wanted) {
                    return;
                }
                for (String id : e.chunks()) {
                    if (seen[0]++ % stride == 0 && packs.size() < wanted) {
                        index.find(ChunkId.parse(id)).ifPresent(b -> packs.add(b.pack()));
                    }
                }
            });
        } catch (RuntimeException e) {
            // a damaged listing: the restore will say so; the estimate goes on with what was found
        }
        Map<String, List<PackedBlob>> blobs = new LinkedHashMap<>();
        packs.forEach(p -> blobs.put(p, new ArrayList<>()));
        for (PackedBlob b : index.all()) {
            List<PackedBlob> list = blobs.get(b.pack());
            if (list != null && b.type() == BlobType.DATA) {
                list.add(b);
            }
        }
        if (blobs.isEmpty()) {
            return new ReadRate(0, 0, Duration.ZERO);
        }
        List<PackedBlob> first = blobs.values().iterator().next();
        first.stream().limit(WARM_UP_BLOBS).forEach(b -> repo.readBlob(b.id(), index));
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "lifeboat-read-rate");
            t.setDaemon(true);
            return t;
        });
        AtomicLong bytes = new AtomicLong();
        long t0 = System.nanoTime();
        try {
            List<Future<?>> work = new ArrayList<>();
            for (List<PackedBlob> pack : blobs.values()) {
                work.add(pool.submit(() -> pack.forEach(b -> bytes.addAndGet(repo.readBlob(b.id(), index).length))));
            }
            for (Future<?> f : work) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        long nanos = Math.max(1, System.nanoTime() - t0);
        return new ReadRate(bytes.get() / 1e6 / (nanos / 1e9), bytes.get(), Duration.ofNanos(nanos));
    }
}
