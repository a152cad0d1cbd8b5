package dev.lifeboat.repository.files;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.BlobSink;
import dev.lifeboat.repository.Json;
import dev.lifeboat.repository.chunk.ChunkId;
import dev.lifeboat.repository.chunk.Chunker;
import dev.lifeboat.repository.pack.BlobType;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds a snapshot's tree: entries are added in listing order (a directory before its content), file content is
 * chunked and stored through a {@link BlobSink} by worker threads (at most {@link #IN_FLIGHT} chunks waiting), and
 * {@link #finish} stores the listing itself as tree blobs. Used by directory backups and PostgreSQL base backups.
 */
public final class TreeWriter implements AutoCloseable {
    static final int IN_FLIGHT = 64;

    private final BlobSink sink;
    private final Chunker listingChunker;
    private final Progress progress;
    private final long total;
    private final ExecutorService pool;
    private final FileChannel listing;
    private final OutputStream out;
    private final AtomicLong done = new AtomicLong();
    private long files;
    private long directories;

    public TreeWriter(BlobSink sink, Chunker listingChunker, int threads, Progress progress, long totalBytes) {
        this.sink = sink;
        this.listingChunker = listingChunker;
        this.progress = progress;
        this.total = totalBytes;
        this.pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "lifeboat-backup");
            t.setDaemon(true);
            return t;
        });
        try {
            // Unlinked as soon as it is open (DELETE_ON_CLOSE on Linux), so a killed backup leaves nothing behind.
            Path name = Path.of(System.getProperty("java.io.tmpdir"), "lifeboat-tree-" + UUID.randomUUID() + ".jsonl");
            this.listing = FileChannel.open(name, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            this.out = new BufferedOutputStream(Channels.newOutputStream(listing), 1 << 16);
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot create a temporary file: " + e.getMessage(),
                    "Check free space in " + System.getProperty("java.io.tmpdir") + ".", e);
        }
    }

    public long files() {
        return files;
    }

    public long directories() {
        return directories;
    }

    /** A directory, with the metadata of {@code path}. */
    public void directory(String rel, Path path) throws IOException {
        directories++;
        write(entry(rel, path, TreeEntry.DIR, null, null, null));
    }

    /** A symbolic link, as written (never followed). */
    public void symlink(String rel, Path path) throws IOException {
        symlink(rel, path, Files.readSymbolicLink(path).toString());
    }

    /** The symbolic link at {@code path}, stored pointing at {@code target} instead of what it says (e.g. made relative). */
    public void symlink(String rel, Path path, String target) throws IOException {
        write(entry(rel, path, TreeEntry.SYMLINK, null, null, target));
    }

    /** A regular file read from disk; returns the bytes read (which may differ from the size when it changes). */
    public long file(String rel, Path path, Chunker chunker) throws IOException {
        return file(rel, path, chunker, java.util.function.UnaryOperator.identity());
    }

    /** As {@link #file(String, Path, Chunker)}, with the content read through {@code filter} (e.g. a page checker). */
    public long file(String rel, Path path, Chunker chunker, java.util.function.UnaryOperator<InputStream> filter) throws IOException {
        files++;
        long[] read = {0};
        List<String> chunks;
        try (InputStream in = filter.apply(Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS))) {
            chunks = store(in, chunker, read);
        }
        write(entry(rel, path, TreeEntry.FILE, read[0], chunks, null));
        return read[0];
    }

    /**
     * A file streamed from {@code in} (e.g. an RDB arriving over a socket), chunked as it arrives; returns its
     * length. The owner is left to the restoring user.
     */
    public long file(String rel, InputStream in, Chunker chunker, int mode, long mtimeNanos) throws IOException {
        files++;
        long[] read = {0};
        List<String> chunks = store(in, chunker, read);
        write(new TreeEntry(rel, TreeEntry.FILE, mode, mtimeNanos, read[0], chunks, null, null, null));
        return read[0];
    }

    /**
     * A file whose content does not come from disk (e.g. PostgreSQL's backup_label), with the given metadata;
     * {@code uid}/{@code gid} may be null (restore then leaves the restoring user as owner).
     */
    public void file(String rel, byte[] content, int mode, long mtimeNanos, Integer uid, Integer gid) throws IOException {
        files++;
        long[] read = {0};
        List<String> chunks = store(new ByteArrayInputStream(content), listingChunker, read);
        write(new TreeEntry(rel, TreeEntry.FILE, mode, mtimeNanos, (long) content.length, chunks, null, uid, gid));
    }

    private List<String> store(InputStream in, Chunker chunker, long[] read) throws IOException {
        Deque<Future<ChunkId>> pending = new ArrayDeque<>();
        List<String> ids = new ArrayList<>();
        long fileNumber = files;
        chunker.split(in, (data, off, len) -> {
            byte[] copy = Arrays.copyOfRange(data, off, off + len);
            read[0] += len;
            pending.add(pool.submit(() -> {
                ChunkId id = sink.add(BlobType.DATA, copy, 0, copy.length);
                progress.update(done.addAndGet(copy.length), total, fileNumber);
                return id;
            }));
            if (pending.size() >= IN_FLIGHT) {
                ids.add(await(pending.poll()).hex());
            }
        });
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

    private static TreeEntry entry(String rel, Path p, String type, Long size, List<String> chunks, String target) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Integer uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Integer gid = (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        return new TreeEntry(rel, type, PosixModes.toMode(a.permissions()), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), size, chunks,
                target, uid, gid);
    }

    private void write(TreeEntry e) throws IOException {
        out.write(Json.write(e));
        out.write('\n');
    }

    /** Stores the listing as tree blobs; returns their ids in order. */
    public List<String> finish() throws IOException {
        out.flush();
        listing.position(0);
        List<String> tree = new ArrayList<>();
        InputStream in = new java.io.BufferedInputStream(Channels.newInputStream(listing), 1 << 16);
        listingChunker.split(in, (data, off, len) -> tree.add(sink.add(BlobType.TREE, data, off, len).hex()));
        return tree;
    }

    /** Stops the workers; a backup that did not finish its sink (it failed) aborts it, so nothing more is written. */
    @Override
    public void close() {
        pool.shutdownNow();
        sink.abort();
        try {
            listing.close();
        } catch (IOException e) {
            // closing deletes nothing more: the listing was unlinked when opened
        }
    }
}
