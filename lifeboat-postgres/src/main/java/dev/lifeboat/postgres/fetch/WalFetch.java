package dev.lifeboat.postgres.fetch;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.postgres.wal.WalPageHeader;
import dev.lifeboat.postgres.wal.WalSegment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * {@code restore_command} support: PostgreSQL asks for one WAL file at a time, and each call is a process start, so
 * besides the file asked for, the next segments are read from the repository into a prefetch directory in parallel;
 * the following calls then only move a file. A partial last segment is served padded to the segment size, as
 * PostgreSQL reads whole segments and stops at the end of valid WAL. Files go to their destination under a
 * temporary name and are renamed, so PostgreSQL never sees half a file.
 *
 * <p>Each call is a process start, and opening the repository (unlocking its key) is the expensive part, so the
 * archive is opened only when needed: a call served from the prefetch directory while at least half of the next
 * segments are still waiting there does not open the repository at all; the others refill it.
 */
public final class WalFetch {
    private static final Pattern HISTORY = Pattern.compile("([0-9A-F]{8})\\.history");

    /** The smallest segment size initdb allows: a name parsed with it names the same file under any larger size. */
    private static final long SMALLEST = 1024 * 1024;

    private final java.util.function.Supplier<WalArchive> opener;
    private WalArchive archive;
    /** The cluster's segment size as given, or 0: learnt from each segment's own first page header. */
    private final long segmentSize;
    private final Optional<Path> cache;

    public WalFetch(WalArchive archive, long segmentSize, Path cache) {
        this(() -> archive, segmentSize, Optional.of(cache));
    }

    /**
     * With the archive opened on first use only, and no prefetching without a cache (see {@link PrefetchCache}).
     * {@code segmentSize} 0: each segment's size is read from its first page's header (every segment starts with
     * one that records it), so clusters made with any {@code initdb --wal-segsize} are served without being told.
     */
    public WalFetch(java.util.function.Supplier<WalArchive> opener, long segmentSize, Optional<Path> cache) {
        this.opener = opener;
        this.segmentSize = segmentSize;
        this.cache = cache;
    }

    /** The size {@code data} (a segment's first bytes) says segments have, or the size given. */
    private long sizeOf(String walFile, byte[] data) {
        if (segmentSize > 0) {
            return segmentSize;
        }
        return WalPageHeader.of(data).map(WalPageHeader::segmentSize).orElseThrow(() -> LifeboatException.of(ErrorCode.WAL_INVALID,
                "the stored " + walFile + " does not start with a WAL segment's page header, so its segment size is unknown; "
                        + "give --segment-size"));
    }

    private synchronized WalArchive archive() {
        if (archive == null) {
            archive = opener.get();
        }
        return archive;
    }

    /** Where a file came from, for the one line logged per call. */
    public enum Source { PREFETCHED, REPOSITORY, PARTIAL, MISSING }

    /** Writes {@code walFile} to {@code destination}; then prefetches the next {@code prefetch} segments. */
    public Source fetch(String walFile, Path destination, int prefetch) {
        try {
            // A cached copy is served only whole: one cut short (a crash while it was written) is dropped and read again.
            Optional<Path> cached = cache.map(c -> c.resolve(walFile)).filter(Files::exists);
            long cachedSize = cached.map(this::wholeSize).orElse(0L);
            if (cachedSize > 0 && take(cached.get(), destination)) {
                prefetchAfter(walFile, cachedSize, prefetch);
                return Source.PREFETCHED;
            }
            var history = HISTORY.matcher(walFile);
            if (history.matches()) {
                Optional<byte[]> h = archive().history(Integer.parseInt(history.group(1), 16));
                if (h.isEmpty()) {
                    return Source.MISSING;
                }
                write(destination, h.get());
                return Source.REPOSITORY;
            }
            // Objects are named after the file: parsed with the smallest size, any valid name finds its object.
            Optional<WalSegment> segment = WalSegment.parse(walFile, segmentSize > 0 ? segmentSize : SMALLEST);
            if (segment.isEmpty()) {
                return Source.MISSING;
            }
            Optional<byte[]> data = archive().segmentOrPartial(segment.get());
            if (data.isEmpty()) {
                return Source.MISSING;
            }
            long size = sizeOf(walFile, data.get());
            boolean partial = data.get().length < size;
            write(destination, partial ? java.util.Arrays.copyOf(data.get(), (int) size) : data.get());
            if (!partial) {
                prefetchAfter(walFile, size, prefetch);
            }
            return partial ? Source.PARTIAL : Source.REPOSITORY;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Moves a cached segment to {@code destination}; false when another recovery sharing the cache took it first (the
     * caller then reads the repository).
     */
    private static boolean take(Path cached, Path destination) throws IOException {
        try {
            try {
                Files.move(cached, destination, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                // The cache is on another filesystem (a tmpfs /tmp, pg_wal on its own volume): copy it next to
                // the destination, rename it there, then drop the cached copy.
                write(destination, Files.readAllBytes(cached));
                Files.deleteIfExists(cached);
            }
            return true;
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
    }

    private void prefetchAfter(String walFile, long segmentSize, int count) throws IOException {
        Optional<WalSegment> current = WalSegment.parse(walFile, segmentSize);
        if (current.isEmpty() || count <= 0 || cache.isEmpty()) {
            return;
        }
        Path cache = this.cache.get();
        Files.createDirectories(cache);
        List<WalSegment> wanted = new ArrayList<>();
        WalSegment s = current.get();
        for (int i = 0; i < count; i++) {
            s = s.next();
            if (!Files.exists(cache.resolve(s.fileName()))) {
                wanted.add(s);
            }
        }
        int waiting = count - wanted.size();
        if (waiting > 0 && waiting >= (count + 1) / 2) {
            return; // enough is waiting: this call does not open the repository; a later one refills
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (WalSegment w : wanted) {
                // Only whole segments are prefetched: a partial one may still grow.
                jobs.add(pool.submit(() -> {
                    try {
                        archive().segmentOrPartial(w).filter(d -> d.length == segmentSize).ifPresent(d -> write(cache.resolve(w.fileName()), d));
                    } catch (RuntimeException e) {
                        // prefetching is best effort: the next call reads the repository itself
                    }
                }));
            }
            for (Future<?> j : jobs) {
                try {
                    j.get();
                } catch (Exception e) {
                    // best effort, as above
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Deletes this name's temporary files older than ten minutes, which only a killed {@code wal fetch} leaves (a
     * write takes well under a second): left alone, each would hold a segment's 16 MiB in pg_wal or the cache.
     */
    private static void sweepStale(Path destination) {
        java.time.Instant before = java.time.Instant.now().minus(java.time.Duration.ofMinutes(10));
        try (var stale = Files.newDirectoryStream(destination.toAbsolutePath().getParent(), destination.getFileName() + ".lifeboat-tmp-*")) {
            for (Path t : stale) {
                if (Files.getLastModifiedTime(t, java.nio.file.LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(before)) {
                    Files.deleteIfExists(t);
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort: the next call tries again
        }
    }

    /**
     * The segment size of a cached segment that is whole (as long as its header, or the size given, says), else 0;
     * one that is not whole is deleted.
     */
    private long wholeSize(Path cached) {
        try {
            long size = segmentSize;
            if (size == 0) {
                byte[] head = new byte[64];
                int n;
                try (var in = Files.newInputStream(cached)) {
                    n = in.readNBytes(head, 0, head.length);
                }
                size = WalPageHeader.of(java.util.Arrays.copyOf(head, n)).map(WalPageHeader::segmentSize).orElse(-1L);
            }
            if (Files.size(cached) == size) {
                return size;
            }
            Files.deleteIfExists(cached);
        } catch (IOException e) {
            // gone meanwhile, or unreadable: read from the repository
        }
        return 0;
    }

    /**
     * Writes through a temporary file of a unique name, created new, then renames it: two recoveries sharing a
     * prefetch cache (clones of one system on one host) never write into each other's files.
     */
    private static void write(Path destination, byte[] data) {
        try {
            sweepStale(destination);
            Path tmp = destination.resolveSibling(destination.getFileName() + ".lifeboat-tmp-"
                    + Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt()));
            try {
                Files.write(tmp, data, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
            } catch (IOException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            Files.move(tmp, destination, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
