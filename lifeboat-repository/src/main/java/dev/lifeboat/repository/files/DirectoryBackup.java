package dev.lifeboat.repository.files;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.BlobSink;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.SnapshotManifest;
import dev.lifeboat.repository.chunk.Chunker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Backs up a directory tree into a snapshot: every file's content is chunked, deduplicated against the whole
 * repository and stored; the listing (paths, modes, times, symlink targets, empty directories) becomes the tree.
 * Memory stays bounded: files are streamed through a {@link TreeWriter}.
 */
public final class DirectoryBackup {
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
        try (TreeWriter tree = new TreeWriter(sink, chunker, threads, progress, total)) {
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    tree.directory(relative(source, dir), dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isSymbolicLink()) {
                        tree.symlink(relative(source, file), file);
                    } else if (attrs.isRegularFile()) {
                        tree.file(relative(source, file), file, chunker);
                    }
                    // Sockets, FIFOs and devices are not backed up.
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    throw e;
                }
            });
            BlobSink.Stats content = sink.stats();
            List<String> ids = tree.finish();
            BlobSink.Stats stats = sink.finish();
            SnapshotManifest manifest = new SnapshotManifest(SnapshotManifest.FORMAT, started.toString(), clock.instant().toString(),
                    hostname(), "directory", name, source.toAbsolutePath().toString(), List.copyOf(tags), chunker.describe(), ids,
                    new SnapshotManifest.Stats(tree.files(), tree.directories(), total, content.newBytes(), stats.storedBytes(),
                            content.chunks(), content.newChunks(), (System.nanoTime() - t0) / 1_000_000),
                    Map.of());
            return repo.snapshots().save(manifest);
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot read " + source + ": " + e.getMessage(),
                    "Check that every file under the source is readable by this user.", e);
        }
    }

    /** The path of {@code p} below {@code root} with '/' separators ("" for the root). */
    public static String relative(Path root, Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }

    /** The tree path of {@code p} when the directory {@code root} holds the tree's paths below {@code prefix} (empty: the top). */
    public static String relative(Path root, String prefix, Path p) {
        String rel = relative(root, p);
        return prefix.isEmpty() ? rel : rel.isEmpty() ? prefix : prefix + "/" + rel;
    }

    /** Total size of the regular files below {@code source}, for progress; 0 when it cannot be read. */
    public static long sizeOf(Path source) {
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

    public static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
