package dev.lifeboat.repository.files;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.BlobSink;
import dev.lifeboat.repository.Json;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.SnapshotManifest;
import dev.lifeboat.repository.chunk.ChunkId;
import dev.lifeboat.repository.chunk.Chunker;
import dev.lifeboat.repository.pack.BlobType;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Backs up a directory tree into a snapshot: every file's content is chunked, deduplicated against the whole
 * repository and stored; the listing (paths, modes, times, symlink targets, empty directories) becomes the tree.
 * Memory stays bounded: files are streamed, and at most {@link #IN_FLIGHT} chunks wait for the workers.
 */
public final class DirectoryBackup {
    static final int IN_FLIGHT = 64;

    private final Repository repo;
    private final Clock clock;
    private final int threads;

    public DirectoryBackup(Repository repo, Clock clock, int threads) {
        this.repo = repo;
        this.clock = clock;
        this.threads = Math.max(1, threads);
    }

    /**
     * Backs up {@code source} under {@code name}.
     *
     * @throws LifeboatException {@code usage} if the source is not a readable directory
     */
    public Snapshot run(Path source, String name, List<String> tags, Progress progress) {
        if (!Files.isDirectory(source)) {
            throw new LifeboatException(ErrorCode.USAGE, source + " is not a directory", "Name a directory to back up with --source.");
        }
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        BlobSink sink = repo.newSink();
        Chunker chunker = repo.fileChunker();
        long total = sizeOf(source);
        AtomicLong done = new AtomicLong();
        long[] counts = new long[2]; // files, directories
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "lifeboat-backup");
            t.setDaemon(true);
            return t;
        });
        Path listing = null;
        try {
            listing = Files.createTempFile("lifeboat-tree-", ".jsonl");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(listing))) {
                Files.walkFileTree(source, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                        counts[1]++;
                        write(out, entry(source, dir, TreeEntry.DIR, null, null, null));
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        if (attrs.isSymbolicLink()) {
                            write(out, entry(source, file, TreeEntry.SYMLINK, null, null, Files.readSymbolicLink(file).toString()));
                        } else if (attrs.isRegularFile()) {
                            counts[0]++;
                            List<String> chunks = storeFile(file, chunker, sink, pool, done, total, counts[0], progress);
                            write(out, entry(source, file, TreeEntry.FILE, Files.size(file), chunks, null));
                        }
                        // Sockets, FIFOs and devices are not backed up.
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                        throw e;
                    }
                });
            }
            BlobSink.Stats content = sink.stats();
            List<String> tree = new ArrayList<>();
            try (InputStream in = Files.newInputStream(listing)) {
                chunker.split(in, (data, off, len) -> tree.add(sink.add(BlobType.TREE, data, off, len).hex()));
            }
            BlobSink.Stats stats = sink.finish();
            SnapshotManifest manifest = new SnapshotManifest(SnapshotManifest.FORMAT, started.toString(), clock.instant().toString(),
                    hostname(), "directory", name, source.toAbsolutePath().toString(), List.copyOf(tags), chunker.describe(), tree,
                    new SnapshotManifest.Stats(counts[0], counts[1], total, content.newBytes(), stats.storedBytes(), content.chunks(),
                            content.newChunks(), (System.nanoTime() - t0) / 1_000_000),
                    Map.of());
            return repo.snapshots().save(manifest);
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot read " + source + ": " + e.getMessage(),
                    "Check that every file under the source is readable by this user.", e);
        } finally {
            pool.shutdownNow();
            if (listing != null) {
                try {
                    Files.deleteIfExists(listing);
                } catch (IOException e) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    private static List<String> storeFile(Path file, Chunker chunker, BlobSink sink, ExecutorService pool, AtomicLong done,
                                          long total, long files, Progress progress) throws IOException {
        Deque<Future<ChunkId>> pending = new ArrayDeque<>();
        List<String> ids = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            chunker.split(in, (data, off, len) -> {
                byte[] copy = Arrays.copyOfRange(data, off, off + len);
                pending.add(pool.submit(() -> {
                    ChunkId id = sink.add(BlobType.DATA, copy, 0, copy.length);
                    progress.update(done.addAndGet(copy.length), total, files);
                    return id;
                }));
                if (pending.size() >= IN_FLIGHT) {
                    ids.add(await(pending.poll()).hex());
                }
            });
        }
        while (!pending.isEmpty()) {
            ids.add(await(pending.poll()).hex());
        }
        return ids;
    }

    private static ChunkId await(Future<ChunkId> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted during backup", null, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        }
    }

    private static TreeEntry entry(Path root, Path p, String type, Long size, List<String> chunks, String target) throws IOException {
        String rel = root.relativize(p).toString().replace('\\', '/');
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Integer uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Integer gid = (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        long mtime = a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
        return new TreeEntry(rel, type, PosixModes.toMode(a.permissions()), mtime, size, chunks, target, uid, gid);
    }

    private static void write(OutputStream out, TreeEntry e) throws IOException {
        out.write(Json.write(e));
        out.write('\n');
    }

    private static long sizeOf(Path source) {
        AtomicLong total = new AtomicLong();
        try {
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        total.addAndGet(attrs.size());
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
        return total.get();
    }

    static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
