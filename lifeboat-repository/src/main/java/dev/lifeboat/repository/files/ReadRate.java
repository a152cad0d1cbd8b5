package dev.lifeboat.repository.files;

import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.chunk.ChunkId;
import dev.lifeboat.repository.index.BlobIndex;
import dev.lifeboat.repository.pack.BlobType;
import dev.lifeboat.repository.pack.PackNames;
import dev.lifeboat.repository.pack.PackReader;
import dev.lifeboat.repository.pack.PackedBlob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How fast this host reads a snapshot back, for recovery estimates: a few whole packs of the snapshot, chosen
 * evenly from packs found across all of it, each fetched once and its blobs authenticated and decompressed as a
 * restore does, by as many threads as a restore uses (after a short warm-up: the first blobs of a process run
 * before the JIT has compiled the crypto). Reading one WAL segment instead, as estimates did first, measured mostly
 * the JIT and gave estimates from 0.6 to 2.6 times the real restore of the same 2.2 GiB backup.
 *
 * @param mbPerSecond plaintext megabytes per second
 * @param sampleBytes plaintext bytes read for the measurement
 * @param took        how long the timed part took
 */
public record ReadRate(double mbPerSecond, long sampleBytes, Duration took) {
    /** Packs read per thread, and at most in all (a 16 MiB pack each, by default). */
    static final int PACKS_PER_THREAD = 2;
    static final int MAX_PACKS = 8;
    /** Chunk ids looked at, evenly across the snapshot, to find packs spread over it. */
    static final int PROBES = 64;
    static final int WARM_UP_BLOBS = 64;
    /** Places of a large listing read for chunk ids (a listing of up to twice as many tree blobs is read whole). */
    static final int TREE_SAMPLES = 16;
    /** Tree blobs read at most at each place, to find one whole entry. */
    static final int BLOBS_PER_SAMPLE = 4;

    /**
     * Measures; empty when nothing could be read (an empty backup, a store that fails: the recovery itself will
     * say what is wrong, and an estimate without a measurement is not worth failing it for).
     */
    public static Optional<ReadRate> measure(Repository repo, Snapshot snapshot, int threads) {
        try {
            return measured(repo, snapshot, Math.max(1, threads));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<ReadRate> measured(Repository repo, Snapshot snapshot, int threads) {
        BlobIndex index = repo.index();
        long stride = Math.max(1, snapshot.manifest().stats().chunks() / PROBES);
        List<String> found = new ArrayList<>(new LinkedHashSet<>(probe(repo, snapshot, index, stride)));
        int wanted = Math.min(MAX_PACKS, threads * PACKS_PER_THREAD);
        List<String> packs = new ArrayList<>();
        for (int i = 0; i < wanted && i < found.size(); i++) {
            packs.add(found.get((int) ((long) i * found.size() / Math.min(wanted, found.size()))));
        }
        if (packs.isEmpty()) {
            return Optional.empty();
        }
        byte[] first = repo.store().get(PackNames.packObject(packs.get(0)));
        PackReader.blobs(packs.get(0), first, repo.sealer()).stream().filter(b -> b.type() == BlobType.DATA).limit(WARM_UP_BLOBS)
                .forEach(b -> repo.openBlobAsRead(b, first));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "lifeboat-read-rate");
            t.setDaemon(true);
            return t;
        });
        AtomicLong bytes = new AtomicLong();
        long t0 = System.nanoTime();
        try {
            List<Future<?>> work = new ArrayList<>();
            for (String pack : packs) {
                work.add(pool.submit(() -> {
                    byte[] whole = repo.store().get(PackNames.packObject(pack));
                    for (PackedBlob b : PackReader.blobs(pack, whole, repo.sealer())) {
                        if (b.type() == BlobType.DATA) {
                            bytes.addAndGet(repo.openBlobAsRead(b, whole).length);
                        }
                    }
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        long nanos = Math.max(1, System.nanoTime() - t0);
        return bytes.get() == 0 ? Optional.empty() : Optional.of(new ReadRate(bytes.get() / 1e6 / (nanos / 1e9), bytes.get(), Duration.ofNanos(nanos)));
    }

    /**
     * The packs of chunks spread over the snapshot, in listing order: of every {@code stride}-th chunk when the
     * listing is small; else of chunks of the entries found at {@link #TREE_SAMPLES} places spread over the listing,
     * so that a terabyte's listing (about a gigabyte) is not read for an estimate.
     */
    static List<String> probe(Repository repo, Snapshot snapshot, BlobIndex index, long stride) {
        int blobs = snapshot.manifest().tree().size();
        if (blobs <= 2 * TREE_SAMPLES) {
            return probeAll(repo, snapshot, index, stride);
        }
        List<String> packs = new ArrayList<>();
        int perPlace = Math.max(1, PROBES / TREE_SAMPLES);
        for (int k = 0; k < TREE_SAMPLES; k++) {
            List<String> ids = new ArrayList<>();
            for (TreeEntry e : TreeReader.sample(repo, snapshot, index, (int) ((long) k * blobs / TREE_SAMPLES), BLOBS_PER_SAMPLE)) {
                if (e.chunks() != null) {
                    ids.addAll(e.chunks());
                }
            }
            for (int j = 0; j < perPlace && j < ids.size(); j++) {
                index.find(ChunkId.parse(ids.get((int) ((long) j * ids.size() / Math.min(perPlace, ids.size()))))).ifPresent(b -> packs.add(b.pack()));
            }
        }
        return packs;
    }

    private static List<String> probeAll(Repository repo, Snapshot snapshot, BlobIndex index, long stride) {
        List<String> packs = new ArrayList<>();
        long[] seen = {0};
        TreeReader.forEach(repo, snapshot, index, e -> {
            if (e.chunks() != null) {
                for (String id : e.chunks()) {
                    if (seen[0]++ % stride == 0) {
                        index.find(ChunkId.parse(id)).ifPresent(b -> packs.add(b.pack()));
                    }
                }
            }
        });
        return packs;
    }
}
