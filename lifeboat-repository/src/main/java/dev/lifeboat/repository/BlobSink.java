package dev.lifeboat.repository;

import dev.lifeboat.repository.chunk.ChunkId;
import dev.lifeboat.repository.pack.BlobType;
import dev.lifeboat.repository.pack.PackNames;
import dev.lifeboat.repository.codec.Sealer;
import dev.lifeboat.repository.pack.PackWriter;
import dev.lifeboat.repository.pack.PackedBlob;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes the new blobs of one backup. {@link #add} is safe to call from several threads: hashing, compression and
 * encryption run in the caller's thread, only appending to the current pack is serialized. A blob the repository
 * already holds, or this backup already wrote, is not written again.
 *
 * <p>Full packs are handed to one uploader thread (at most {@link #IN_FLIGHT} packs waiting), so workers keep
 * compressing while a pack is written and fsynced. Blobs are sealed into a per-thread buffer and copied into the
 * pack's buffer, and pack buffers are reused once stored: a backup allocates a handful of packs however large it
 * is (before, every sealed blob survived until its pack was stored and the collector copied gigabytes).
 *
 * <p>Ordering: a pack is durable before any index lists it, and {@link #finish()} writes the index of everything
 * this sink wrote not yet indexed; only then may a snapshot refer to those blobs. On the way, every
 * {@link #CHECKPOINT_BYTES} of stored packs (at most every {@link #CHECKPOINT_INTERVAL}) the uploader writes an index
 * of the packs stored since the last one (a checkpoint),
 * so a backup that is killed, or loses its store, is resumed by running it again: the next backup finds those blobs
 * in the index and stores only the rest (pgBackRest resumes aborted backups too; here it falls out of
 * deduplication). Blobs a checkpoint indexed but no snapshot refers to are collected by prune, which excludes
 * backups by its lock. Packs stored after the last checkpoint of a killed backup are listed by no index: invisible
 * to readers, and collected by prune.
 */
public final class BlobSink {
    private final Repository repo;
    private final Set<ChunkId> claimed = ConcurrentHashMap.newKeySet();
    /** Blobs in stored packs that no index lists yet; touched by the uploader thread, then by finish after it. */
    private final List<PackedBlob> unindexed = new ArrayList<>();
    private long unindexedBytes;
    /**
     * A checkpoint is written once this many pack bytes are stored since the last one, and at least
     * {@link #CHECKPOINT_INTERVAL} has passed: a crash loses at most that much upload, and a large first backup
     * (terabytes) does not leave thousands of small index objects for every later open to read.
     */
    static final long CHECKPOINT_BYTES = 1L << 30;
    static final java.time.Duration CHECKPOINT_INTERVAL = java.time.Duration.ofMinutes(2);
    private final long checkpointBytes;
    private final long checkpointNanos;
    private long lastCheckpoint = System.nanoTime();
    private final AtomicLong checkpoints = new AtomicLong();
    private volatile boolean aborted;
    /** The first failure of an upload or checkpoint (a store that refuses, a lost lock): the backup stops at its next blob. */
    private volatile RuntimeException failed;
    private volatile boolean finished;
    private final AtomicLong chunks = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong newChunks = new AtomicLong();
    private final AtomicLong newBytes = new AtomicLong();
    private final AtomicLong storedBytes = new AtomicLong();
    private final AtomicLong packs = new AtomicLong();
    /** Packs finished and waiting for the uploader; bounds memory to a few packs. */
    static final int IN_FLIGHT = 2;
    private final java.util.concurrent.ExecutorService uploader;
    private final java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(IN_FLIGHT);
    private final List<java.util.concurrent.Future<?>> uploads = Collections.synchronizedList(new ArrayList<>());
    private PackWriter current;
    /** Buffers of stored packs, reused by the next packs (at most a few: one filling, some waiting, one storing). */
    private final java.util.Queue<byte[]> spare = new java.util.concurrent.ConcurrentLinkedQueue<>();

    BlobSink(Repository repo) {
        this(repo, CHECKPOINT_BYTES, CHECKPOINT_INTERVAL);
    }

    BlobSink(Repository repo, long checkpointBytes, java.time.Duration checkpointInterval) {
        this.repo = repo;
        this.checkpointBytes = checkpointBytes;
        this.checkpointNanos = checkpointInterval.toNanos();
        this.current = new PackWriter(null, repo.config().packSize());
        this.uploader = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lifeboat-pack-upload");
            t.setDaemon(true);
            return t;
        });
    }

    /** Stores a blob unless it is already stored; returns its id either way. */
    public ChunkId add(BlobType type, byte[] data, int offset, int length) {
        RuntimeException f = failed;
        if (f != null) {
            throw f; // no point reading on: nothing more can be committed
        }
        ChunkId id = repo.hasher().id(data, offset, length);
        chunks.incrementAndGet();
        bytes.addAndGet(length);
        if (repo.index().contains(id) || !claimed.add(id)) {
            return id;
        }
        Sealer.Scratch sealed = repo.sealer().sealToScratch(type.kind(), data, offset, length, id.bytes());
        newChunks.incrementAndGet();
        newBytes.addAndGet(length);
        storedBytes.addAndGet(sealed.length());
        PackWriter full = null;
        synchronized (this) {
            current.add(type, id, sealed.bytes(), 0, sealed.length(), length);
            if (current.size() >= repo.config().packSize()) {
                full = current;
                current = new PackWriter(spare.poll(), repo.config().packSize());
            }
        }
        if (full != null) {
            uploadLater(full);
        }
        return id;
    }

    private void uploadLater(PackWriter pack) {
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to upload a pack", e);
        }
        uploads.add(uploader.submit(() -> {
            try {
                upload(pack);
            } catch (RuntimeException e) {
                if (failed == null) {
                    failed = e;
                }
                aborted = true;
                throw e;
            } finally {
                slots.release();
            }
        }));
    }

    public ChunkId add(BlobType type, byte[] data) {
        return add(type, data, 0, data.length);
    }

    private void upload(PackWriter pack) {
        if (aborted) {
            return; // the backup failed: its lock may be gone, so nothing more is written
        }
        PackWriter.Finished f = pack.finish(repo.sealer());
        repo.store().put(PackNames.packObject(f.id()), f.bytes(), 0, f.length());
        unindexed.addAll(f.blobs());
        unindexedBytes += f.length();
        packs.incrementAndGet();
        if (!aborted && unindexedBytes >= checkpointBytes && System.nanoTime() - lastCheckpoint >= checkpointNanos) {
            indexUnindexed(); // a checkpoint: a killed backup resumes from here
            checkpoints.incrementAndGet();
            lastCheckpoint = System.nanoTime();
        }
        if (spare.size() < IN_FLIGHT + 1) {
            spare.offer(f.bytes()); // the store keeps no reference once put returns (ObjectStore's contract)
        }
    }

    /** Uploads the last pack and writes the index of every blob this sink wrote. */
    public Stats finish() {
        PackWriter last;
        synchronized (this) {
            last = current;
            current = new PackWriter(null, repo.config().packSize());
        }
        if (last.count() > 0) {
            uploadLater(last);
        }
        try {
            for (java.util.concurrent.Future<?> f : new ArrayList<>(uploads)) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while uploading packs", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            uploader.shutdown();
        }
        indexUnindexed();
        finished = true;
        return stats();
    }

    private void indexUnindexed() {
        if (!unindexed.isEmpty()) {
            repo.writeIndex(new ArrayList<>(unindexed));
            unindexed.clear();
            unindexedBytes = 0;
        }
    }

    /**
     * Gives up a backup that failed before {@link #finish}: packs waiting for upload are dropped and no further pack
     * or checkpoint is written (the backup's lock may be released right after). What was stored stays, as after a
     * crash. Does nothing after {@code finish}.
     */
    public void abort() {
        if (!finished) {
            aborted = true;
            uploader.shutdownNow();
        }
    }

    /** Indexes written before {@link #finish} (checkpoints), so far. */
    public long checkpoints() {
        return checkpoints.get();
    }

    public Stats stats() {
        return new Stats(chunks.get(), bytes.get(), newChunks.get(), newBytes.get(), storedBytes.get(), packs.get());
    }

    /**
     * What a sink did.
     *
     * @param chunks      blobs offered
     * @param bytes       their total plaintext size
     * @param newChunks   blobs actually written (not already stored)
     * @param newBytes    their plaintext size
     * @param storedBytes their size once compressed and encrypted
     * @param packs       packs uploaded
     */
    public record Stats(long chunks, long bytes, long newChunks, long newBytes, long storedBytes, long packs) {
    }
}
