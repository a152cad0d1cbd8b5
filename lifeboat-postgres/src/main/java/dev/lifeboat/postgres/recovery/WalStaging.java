package dev.lifeboat.postgres.recovery;

import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.postgres.wal.WalChain;
import dev.lifeboat.postgres.wal.WalSegment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Stages archived WAL segments for replay, several at a time: each is fetched, decrypted and verified from the
 * repository independently, so a remote store's round trips overlap instead of adding up (a thousand segments at 50 ms
 * each would be 50 s one by one). In flight at most {@link #IN_FLIGHT_BYTES} of segments, so 1 GiB segments are
 * staged one at a time. A partial last segment is zero-padded to full size: zeros are the end of WAL to PostgreSQL.
 */
final class WalStaging {
    /** What staging wrote: file names in WAL order, where the staged WAL ends, and whether the last is partial. */
    record Staged(List<String> segments, Lsn end, boolean lastPartial) {
    }

    /** Memory the segments being staged may take at once. */
    static final long IN_FLIGHT_BYTES = 256L << 20;
    static final int MAX_THREADS = 8;

    private WalStaging() {
    }

    static int threads(long segmentSize) {
        return (int) Math.max(1, Math.min(MAX_THREADS, IN_FLIGHT_BYTES / segmentSize));
    }

    /** Stages {@code links} into {@code walDir}; the first failure (a missing or damaged segment) is thrown as is. */
    static Staged stage(WalArchive archive, List<WalChain.Link> links, Path walDir, Lsn start, long segmentSize) throws IOException {
        if (links.isEmpty()) {
            return new Staged(List.of(), start, false);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(links.size(), threads(segmentSize)), r -> {
            Thread t = new Thread(r, "lifeboat-wal-staging");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Long>> written = new ArrayList<>();
            for (WalChain.Link link : links) {
                written.add(pool.submit(() -> stageOne(archive, link, walDir, segmentSize)));
            }
            List<String> names = new ArrayList<>();
            long lastLength = 0;
            for (int i = 0; i < links.size(); i++) {
                lastLength = await(written.get(i));
                names.add(links.get(i).segment().fileName());
            }
            WalChain.Link last = links.get(links.size() - 1);
            return last.whole() ? new Staged(names, last.segment().end(), false)
                    : new Staged(names, last.segment().start().plus(lastLength), true);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Writes one segment; returns the bytes of WAL it holds (the partial's own length when partial). */
    private static long stageOne(WalArchive archive, WalChain.Link link, Path walDir, long segmentSize) throws IOException {
        WalSegment segment = link.segment();
        if (link.whole()) {
            byte[] bytes = archive.segment(segment);
            Files.write(walDir.resolve(segment.fileName()), bytes);
            return bytes.length;
        }
        byte[] partial = archive.partial(segment).orElse(new byte[0]);
        Files.write(walDir.resolve(segment.fileName()), java.util.Arrays.copyOf(partial, (int) segmentSize));
        return partial.length;
    }

    private static long await(Future<Long> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(dev.lifeboat.core.error.ErrorCode.INTERRUPTED, "interrupted while staging WAL", null, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(cause);
        }
    }
}
