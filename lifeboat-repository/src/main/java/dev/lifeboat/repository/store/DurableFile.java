package dev.lifeboat.repository.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One file being written (a restored file, a stored pack), made durable before {@link #finish()} returns.
 *
 * <p>Files of at least {@link #DIRECT_FROM} bytes are written with {@code O_DIRECT} in aligned 1 MiB writes where
 * the filesystem allows it: the data goes from Lifeboat's buffer to the device, with no copy into the page cache
 * and nothing left for a later flush. On this project's virtual machines the kernel's copy into fresh page-cache
 * pages was the largest single cost of a restore (half its CPU); database restores are mostly a few 1 GiB segment
 * files, packs are 16 MiB, and neither a restored cluster nor a backup should push the host's working set out of
 * the cache. The last partial block is written padded and the file truncated to its size. Smaller files, and
 * filesystems that refuse {@code O_DIRECT} (tmpfs on older kernels, some network filesystems), go through the page
 * cache and are fsynced, as do files on a filesystem that takes the O_DIRECT open but refuses the first write (some
 * FUSE and network filesystems): nothing has reached the file then, so it is reopened and written through the page
 * cache. A direct write that fails after others succeeded is an error.
 *
 * <p>Not thread-safe: one writer per file.
 */
public final class DurableFile implements AutoCloseable {
    /** Files at least this large are written with O_DIRECT where possible. */
    public static final long DIRECT_FROM = 1 << 20;
    /** Bytes per direct write. */
    static final int DIRECT_BUFFER = 1 << 20;

    /** One direct buffer per writer thread, with room to align it to any block size up to 64 KiB. */
    private static final ThreadLocal<ByteBuffer> BUFFERS = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(DIRECT_BUFFER + (1 << 16)));

    /** Opens a file channel; tests pass one that fails like a filesystem would. */
    interface Opener {
        FileChannel open(Path path, OpenOption... options) throws IOException;
    }

    private final Path path;
    private final AtomicBoolean directShared;
    private final Opener opener;
    private FileChannel channel;
    private ByteBuffer buffer;
    private final int align;
    private long size;
    private boolean wroteDirect;

    private DurableFile(Path path, AtomicBoolean directShared, Opener opener, FileChannel channel, ByteBuffer buffer, int align) {
        this.path = path;
        this.directShared = directShared;
        this.opener = opener;
        this.channel = channel;
        this.buffer = buffer;
        this.align = align;
    }

    /**
     * Opens {@code path} for a file of {@code expectedSize} bytes, or an unknown size when negative;
     * {@code create} is {@link StandardOpenOption#CREATE} (an existing file is emptied) or
     * {@link StandardOpenOption#CREATE_NEW}. {@code direct} is shared by one restore or one store: once a
     * filesystem refuses O_DIRECT it is not tried again.
     */
    public static DurableFile create(Path path, long expectedSize, AtomicBoolean direct, OpenOption create) throws IOException {
        return create(path, expectedSize, direct, create, FileChannel::open);
    }

    static DurableFile create(Path path, long expectedSize, AtomicBoolean direct, OpenOption create, Opener opener) throws IOException {
        if (expectedSize >= DIRECT_FROM && direct.get()) {
            int align = (int) Math.max(4096, Math.min(1 << 16, blockSize(path)));
            try {
                FileChannel ch = opener.open(path, create, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, directOption());
                return new DurableFile(path, direct, opener, ch, BUFFERS.get().clear().alignedSlice(align).limit(DIRECT_BUFFER), align);
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.AccessDeniedException | java.nio.file.NoSuchFileException e) {
                throw e; // not about O_DIRECT, and the file is not ours to delete
            } catch (IOException | UnsupportedOperationException e) {
                // EINVAL from a filesystem without O_DIRECT (the open may have created the file before refusing):
                // write through the page cache from now on.
                direct.set(false);
                Files.deleteIfExists(path);
            }
        }
        return new DurableFile(path, direct, opener, opener.open(path, create, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE),
                null, 0);
    }

    public void write(byte[] data, int offset, int length) throws IOException {
        size += length;
        while (length > 0 && buffer != null) {
            int n = Math.min(length, buffer.remaining());
            buffer.put(data, offset, n);
            offset += n;
            length -= n;
            if (!buffer.hasRemaining()) {
                drain(buffer.position());
            }
        }
        if (length > 0) { // through the page cache (from the start, or since the filesystem refused direct writes)
            ByteBuffer src = ByteBuffer.wrap(data, offset, length);
            while (src.hasRemaining()) {
                channel.write(src);
            }
        }
    }

    /** Whether this file is written with O_DIRECT. */
    public boolean direct() {
        return buffer != null;
    }

    /** Bytes written so far. */
    public long size() {
        return size;
    }

    /** Writes what is buffered, sets the exact size and makes data and size durable. */
    public void finish() throws IOException {
        if (buffer != null && buffer.position() > 0) {
            int tail = buffer.position();
            int padded = (tail + align - 1) / align * align;
            while (buffer.position() < padded) {
                buffer.put((byte) 0);
            }
            drain(padded);
            channel.truncate(size);
        }
        channel.force(true);
    }

    private void drain(int length) throws IOException {
        buffer.flip().limit(length);
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            if (wroteDirect) {
                throw e;
            }
            pageCacheFromNowOn(length);
            return;
        }
        wroteDirect = true;
        buffer.clear().limit(DIRECT_BUFFER);
    }

    /**
     * The filesystem took the O_DIRECT open but refused the first write: nothing is in the file yet, so it is
     * reopened without O_DIRECT and the buffered bytes written again; the rest of this store or restore skips
     * O_DIRECT. (Padding beyond the real size is cut off by {@link #finish()}'s truncate.)
     */
    private void pageCacheFromNowOn(int length) throws IOException {
        channel.close();
        directShared.set(false);
        channel = opener.open(path, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        ByteBuffer pending = buffer.position(0).limit(length);
        buffer = null;
        while (pending.hasRemaining()) {
            channel.write(pending);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /**
     * Makes a directory's entries durable: fsync on the directory, after files were created or renamed in it. A
     * directory we may not open, or a platform or filesystem that cannot open or fsync one (EINVAL), is left as it
     * is; any other failing fsync (EIO) is thrown, since what was renamed into the directory is then not known to be
     * there after a crash.
     */
    public static void syncDirectory(Path dir) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            return; // not supported here, or not readable by us
        }
        try (ch) {
            ch.force(true);
        } catch (IOException e) {
            // Some filesystems cannot fsync a directory at all (EINVAL, EBADF: CIFS, some FUSE mounts), as PostgreSQL's
            // fsync_fname also allows; any other failure (EIO) means the entries may not be on disk.
            String why = String.valueOf(e.getMessage());
            if (!why.contains("Invalid argument") && !why.contains("Bad file descriptor")) {
                throw e;
            }
        }
    }

    /** Makes a file written with ordinary I/O (a settings file appended to) durable: fsync on it. */
    public static void syncFile(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * {@link Files#createDirectories}, then makes each directory it created durable in its parent, so a file later
     * made durable in the deepest one is not lost with a directory entry that never reached the disk.
     */
    public static void createDirectories(Path dir) throws IOException {
        java.util.ArrayDeque<Path> missing = new java.util.ArrayDeque<>();
        for (Path p = dir.toAbsolutePath(); p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.push(p);
        }
        if (missing.isEmpty()) {
            return;
        }
        Files.createDirectories(dir);
        for (Path created : missing) {
            syncDirectory(created.getParent());
        }
    }

    private static long blockSize(Path path) {
        try {
            return Files.getFileStore(path.getParent()).getBlockSize();
        } catch (IOException | UnsupportedOperationException e) {
            return 4096;
        }
    }

    private static OpenOption directOption() {
        return com.sun.nio.file.ExtendedOpenOption.DIRECT;
    }
}
