package dev.lifeboat.repository.files;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.chunk.ChunkId;
import dev.lifeboat.repository.store.DurableFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Restores a directory snapshot into an empty or absent directory: files, empty directories, symbolic links,
 * permission bits, modification times, and owners when running as root. Worker threads fetch, authenticate,
 * decompress and verify chunks ahead of the writers; up to {@code threads} files are written at once (one writer
 * spent most of its time in write(2) on this machine's page cache: the profile showed it). Each file is written to
 * a temporary name and renamed only once all its chunks are verified, so a damaged chunk fails the restore without
 * leaving a file with wrong content. Every file and directory is durable when {@link #run} returns: large files are
 * written with O_DIRECT where possible, the rest fsynced (see {@link DurableFile}).
 */
public final class DirectoryRestore {
    /** Chunks read ahead of the one being written. */
    static final int READ_AHEAD = 128;

    private final Repository repo;
    private final int threads;
    /** Whether the target's filesystem still takes O_DIRECT writes (see {@link DurableFile}). */
    private final java.util.concurrent.atomic.AtomicBoolean direct = new java.util.concurrent.atomic.AtomicBoolean(true);
    /** Subtrees of the snapshot restored outside the target, by their path in the tree. */
    private final Subtrees elsewhere;
    private final Ownership owners;

    public DirectoryRestore(Repository repo) {
        this(repo, Runtime.getRuntime().availableProcessors());
    }

    public DirectoryRestore(Repository repo, int threads) {
        this(repo, threads, Subtrees.NONE, Ownership.recorded());
    }

    private DirectoryRestore(Repository repo, int threads, Subtrees elsewhere, Ownership owners) {
        this.repo = repo;
        this.threads = Math.max(1, threads);
        this.elsewhere = elsewhere;
        this.owners = owners;
    }

    /** The same restore, giving files the owners {@code owners} says (by default each file's recorded one, as root). */
    public DirectoryRestore owners(Ownership owners) {
        return new DirectoryRestore(repo, threads, elsewhere, owners);
    }

    /**
     * The same restore, writing each given subtree of the snapshot (a path in its tree, e.g. {@code pg_tblspc/16385})
     * into its own absolute directory, new or empty, instead of under the target.
     */
    public DirectoryRestore elsewhere(java.util.Map<String, Path> subtrees) {
        return new DirectoryRestore(repo, threads, new Subtrees(subtrees), owners);
    }

    /**
     * A damaged or crafted tree must not write through a link it made itself (an entry below a symbolic link entry)
     * nor put a link where a subtree was sent elsewhere.
     */
    static void refuseThroughLink(TreeEntry e, Path p, java.util.Set<Path> links, Subtrees elsewhere) {
        for (Path q = p.getParent(); q != null; q = q.getParent()) {
            if (links.contains(q)) {
                throw LifeboatException.of(ErrorCode.OBJECT_CORRUPT, "tree entry '" + e.path() + "' lies below the symbolic link " + q);
            }
        }
        if (TreeEntry.SYMLINK.equals(e.type())) {
            elsewhere.containing(e.path()).ifPresent(subtree -> {
                throw LifeboatException.of(ErrorCode.OBJECT_CORRUPT, "tree entry '" + e.path() + "' is a symbolic link in " + subtree
                        + ", which is restored to " + elsewhere.dirs().get(subtree));
            });
        }
    }

    /** Restores; returns the number of files written. */
    public long run(Snapshot snapshot, Path target, Progress progress) {
        prepare(target);
        elsewhere.dirs().values().forEach(DirectoryRestore::prepare);
        Path root = target.toAbsolutePath().normalize();
        List<TreeEntry> dirs = new ArrayList<>();
        AtomicLong files = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        long total = snapshot.manifest().stats().bytes();
        ExecutorService pool = daemonPool(threads, "lifeboat-restore");
        ExecutorService writers = daemonPool(threads, "lifeboat-restore-writer");
        // At most two files per writer wait or run, so memory stays bounded however many files there are.
        java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(2 * threads);
        Deque<Future<?>> writing = new ArrayDeque<>();
        RestoreLock lock = RestoreLock.take(root);
        try {
            java.util.Set<Path> links = new java.util.HashSet<>();
            TreeReader.forEach(repo, snapshot, e -> {
                Path p = elsewhere.place(root, e.path());
                refuseThroughLink(e, p, links, elsewhere);
                try {
                    switch (e.type()) {
                        case TreeEntry.DIR -> {
                            Files.createDirectories(p);
                            dirs.add(e);
                        }
                        case TreeEntry.SYMLINK -> {
                            Files.createSymbolicLink(p, Path.of(e.target()));
                            links.add(p);
                            ownLink(e, p, owners);
                        }
                        case TreeEntry.FILE -> {
                            long n = files.incrementAndGet();
                            acquire(slots);
                            writing.add(writers.submit(() -> {
                                try {
                                    writeFile(e, p, pool, bytes, total, n, progress);
                                    finish(e, p, owners);
                                    return null;
                                } finally {
                                    slots.release();
                                }
                            }));
                            while (!writing.isEmpty() && writing.peek().isDone()) {
                                await(writing.poll()); // surfaces a failed file early
                            }
                        }
                        default -> throw LifeboatException.of(ErrorCode.OBJECT_CORRUPT, "tree entry of unknown type '" + e.type() + "'");
                    }
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            });
            while (!writing.isEmpty()) {
                await(writing.poll());
            }
            lock.release(); // before the target's own time is set: deleting the lock file would change it
            // Directory times last: writing into a directory changes its time. Each directory is fsynced, so the
            // names of the (already durable) files in it are durable too.
            for (int i = dirs.size() - 1; i >= 0; i--) {
                Path dir = elsewhere.place(root, dirs.get(i).path());
                finish(dirs.get(i), dir, owners);
                DurableFile.syncDirectory(dir);
            }
            // The target's own name (and each subtree placed elsewhere) in its parent, when this restore created it.
            if (root.getParent() != null) {
                DurableFile.syncDirectory(root.getParent());
            }
            for (Path place : elsewhere.dirs().values()) {
                if (place.toAbsolutePath().getParent() != null) {
                    DurableFile.syncDirectory(place.toAbsolutePath().getParent());
                }
            }
        } catch (IOException | UncheckedIOException e) {
            String why = e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage();
            throw new LifeboatException(ErrorCode.USAGE, "cannot write under " + target + ": " + why,
                    "Check free space and permissions of the target directory.", e);
        } finally {
            lock.release();
            writing.forEach(f -> f.cancel(true));
            writers.shutdownNow();
            pool.shutdownNow();
            try {
                writers.awaitTermination(30, TimeUnit.SECONDS); // no writer may still create files after we return
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        return files.get();
    }

    private static void acquire(java.util.concurrent.Semaphore slots) {
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted during restore", null, e);
        }
    }

    private void writeFile(TreeEntry e, Path p, ExecutorService pool, AtomicLong bytes, long total, long files, Progress progress)
            throws IOException {
        // Created new (O_EXCL: a link planted at the name is refused, not followed), under a name of its own per
        // restore, so two restores into one directory never write into each other's files.
        Path temp = p.resolveSibling(".lifeboat-partial-" + p.getFileName() + "-" + Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt()));
        boolean done = false;
        Deque<Future<byte[]>> ahead = new ArrayDeque<>();
        try {
            long written = 0;
            Iterator<String> chunks = e.chunks().iterator();
            try (DurableFile out = DurableFile.create(temp, e.size() == null ? -1 : e.size(), direct, StandardOpenOption.CREATE_NEW)) {
                while (chunks.hasNext() || !ahead.isEmpty()) {
                    while (chunks.hasNext() && ahead.size() < READ_AHEAD) {
                        ChunkId id = ChunkId.parse(chunks.next());
                        ahead.add(pool.submit(() -> repo.readBlob(id)));
                    }
                    byte[] data = await(ahead.poll());
                    out.write(data, 0, data.length);
                    written += data.length;
                    progress.update(bytes.addAndGet(data.length), total, files);
                }
                out.finish();
            }
            if (e.size() != null && written != e.size()) {
                throw LifeboatException.of(ErrorCode.OBJECT_CORRUPT, "file " + e.path() + " restored to " + written
                        + " bytes but the snapshot recorded " + e.size());
            }
            Files.move(temp, p, StandardCopyOption.ATOMIC_MOVE);
            done = true;
        } finally {
            ahead.forEach(f -> f.cancel(true));
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** A fixed pool of daemon threads named {@code name}, so a failed restore never keeps the JVM alive. */
    static ExecutorService daemonPool(int threads, String name) {
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** A restored symbolic link gets its owner (links have no mode or time of their own here). */
    static void ownLink(TreeEntry e, Path p, Ownership owners) throws IOException {
        owners.apply(e, p);
    }

    /** The task's result; its failure rethrown as the restore's (an IOException as UncheckedIOException). */
    static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted during restore", null, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    static void finish(TreeEntry e, Path p, Ownership owners) throws IOException {
        owners.apply(e, p);
        Files.setPosixFilePermissions(p, PosixModes.toPermissions(e.mode()));
        Files.setLastModifiedTime(p, FileTime.from(e.mtime(), TimeUnit.NANOSECONDS));
    }

    static Path resolve(Path root, String rel) {
        Path p = rel.isEmpty() ? root : root.resolve(rel).normalize();
        if (!p.startsWith(root)) {
            throw LifeboatException.of(ErrorCode.OBJECT_CORRUPT, "tree entry '" + rel + "' points outside the restore target");
        }
        return p;
    }

    /**
     * Refuses a target that exists and is not an empty directory, then makes it (new or empty) 0700 for the
     * restore: nothing restored is readable by others before the snapshot's own mode is put on it at the end, nor
     * ever after a restore killed half-way (a PostgreSQL data directory holds pg_authid).
     */
    private static void prepare(Path target) {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new LifeboatException(ErrorCode.USAGE, target + " exists and is not a directory", "Restore into a new or empty directory.");
            }
            try (DirectoryStream<Path> s = Files.newDirectoryStream(target)) {
                if (s.iterator().hasNext()) {
                    throw new LifeboatException(ErrorCode.USAGE, target + " is not empty; restore never overwrites files",
                            "Restore into a new or empty directory.");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            DurableFile.createDirectories(target);
            Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX filesystem: its own access rules apply
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
