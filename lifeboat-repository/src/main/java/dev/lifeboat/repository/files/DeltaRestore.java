package dev.lifeboat.repository.files;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.chunk.ChunkId;
import dev.lifeboat.repository.pack.PackedBlob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Restores a snapshot into a directory that already holds an older or damaged copy (pgBackRest calls this "delta"),
 * fetching only what differs. Each chunk range of an existing file is read and keyed-hashed; only a range whose hash
 * differs from the snapshot's chunk id is fetched, authenticated and written in place. Files, links and directories
 * the snapshot does not have are removed, so afterwards the directory is exactly the snapshot (content, modes,
 * times, owners when root), like a restore into an empty one.
 *
 * <p>The comparison is by content (HMAC-SHA256 with the repository's key), never by size or modification time.
 * Nothing is written that did not authenticate; a restore that fails part-way leaves a directory that is neither the
 * old nor the new state, and running it again completes it. Callers must make sure nothing runs from the directory.
 *
 * <p>{@link #dryRun()} compares the same way and reports what would be fetched and removed, changing nothing.
 */
public final class DeltaRestore {
    static final int IN_FLIGHT = 32;

    /** Paths named in a result's removal list; the count covers all. */
    static final int NAMED = 100;

    private final Repository repo;
    private final int threads;
    private final boolean dryRun;
    private final Subtrees elsewhere;
    private final Ownership owners;

    public DeltaRestore(Repository repo) {
        this(repo, Runtime.getRuntime().availableProcessors(), false);
    }

    public DeltaRestore(Repository repo, int threads, boolean dryRun) {
        this(repo, threads, dryRun, Subtrees.NONE, Ownership.recorded());
    }

    private DeltaRestore(Repository repo, int threads, boolean dryRun, Subtrees elsewhere, Ownership owners) {
        this.repo = repo;
        this.threads = Math.max(1, threads);
        this.dryRun = dryRun;
        this.elsewhere = elsewhere;
        this.owners = owners;
    }

    /** The same comparison, reporting what would change and changing nothing. */
    public DeltaRestore dryRun() {
        return new DeltaRestore(repo, threads, true, elsewhere, owners);
    }

    /** The same delta restore, giving what it writes the owners {@code owners} says (see {@link Ownership}). */
    public DeltaRestore owners(Ownership owners) {
        return new DeltaRestore(repo, threads, dryRun, elsewhere, owners);
    }

    /**
     * The same delta restore, with each given subtree of the snapshot (e.g. {@code pg_tblspc/16385}) compared with
     * and written into its own absolute directory, which may hold an older copy too, instead of under the target.
     * What the target holds at a subtree's own path (a link to that directory, say) is left to the caller; a
     * directory there is removed, since the subtree's content lives elsewhere now.
     */
    public DeltaRestore elsewhere(java.util.Map<String, Path> subtrees) {
        return new DeltaRestore(repo, threads, dryRun, new Subtrees(subtrees), owners);
    }

    /**
     * What a delta restore did.
     *
     * @param files        regular files in the snapshot
     * @param reusedBytes  bytes already correct in place (not fetched)
     * @param fetchedBytes bytes fetched from the repository and written
     * @param removed      paths removed because the snapshot does not have them (a path of another type than the
     *                     snapshot's is replaced, not counted)
     * @param removedPaths the first {@value #NAMED} of them, relative to the target
     * @param dryRun       whether this only reports (nothing was fetched, written or removed)
     */
    public record Result(long files, long reusedBytes, long fetchedBytes, long removed, List<String> removedPaths, boolean dryRun) {
    }

    public Result run(Snapshot snapshot, Path target, Progress progress) {
        Path root = target.toAbsolutePath().normalize();
        Set<String> wanted = new HashSet<>();
        Set<String> notDirs = new HashSet<>();
        List<TreeEntry> dirs = new ArrayList<>();
        AtomicLong files = new AtomicLong();
        AtomicLong reused = new AtomicLong();
        AtomicLong fetched = new AtomicLong();
        long total = snapshot.manifest().stats().bytes();
        ExecutorService pool = DirectoryRestore.daemonPool(threads, "lifeboat-delta");
        RestoreLock lock = null;
        try {
            if (!dryRun) {
                Files.createDirectories(root);
                lock = RestoreLock.take(root);
                wanted.add(RestoreLock.NAME); // not the snapshot's, and not to be removed as such
            }
            Set<Path> links = new HashSet<>();
            TreeReader.forEach(repo, snapshot, e -> {
                Path p = elsewhere.place(root, e.path());
                // As in a full restore: nothing is written through a link the tree itself made (a -> /etc, then a/passwd).
                DirectoryRestore.refuseThroughLink(e, p, links, elsewhere);
                if (TreeEntry.SYMLINK.equals(e.type())) {
                    links.add(p);
                }
                wanted.add(e.path());
                if (!TreeEntry.DIR.equals(e.type())) {
                    notDirs.add(e.path());
                }
                try {
                    switch (e.type()) {
                        case TreeEntry.DIR -> {
                            // A subtree placed elsewhere may be reached through the admin's own link (/srv/ts -> /mnt/disk/ts):
                            // it is followed, not replaced by a new directory on another filesystem.
                            boolean linkedPlace = elsewhere.dirs().containsValue(p) && Files.isSymbolicLink(p) && Files.isDirectory(p);
                            if (!dryRun) {
                                if (!linkedPlace && Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                                    Files.delete(p);
                                }
                                Files.createDirectories(p);
                            }
                            dirs.add(e);
                        }
                        case TreeEntry.SYMLINK -> {
                            boolean same = Files.isSymbolicLink(p) && Files.readSymbolicLink(p).toString().equals(e.target());
                            if (dryRun) {
                                break;
                            }
                            if (!same) {
                                dev.lifeboat.core.io.Trees.delete(p);
                                Files.createSymbolicLink(p, Path.of(e.target()));
                            }
                            DirectoryRestore.ownLink(e, p, owners);
                        }
                        case TreeEntry.FILE -> {
                            boolean regular = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
                            if (!regular && !dryRun) {
                                dev.lifeboat.core.io.Trees.delete(p);
                            }
                            long n = files.incrementAndGet();
                            if (dryRun && !regular) {
                                fetched.addAndGet(e.size() == null ? 0 : e.size());
                                break;
                            }
                            if (regular && !dryRun && linkCount(p) > 1 && differs(e, p, pool)) {
                                breakHardLink(p);
                            }
                            patch(e, p, pool, reused, fetched, () -> progress.update(reused.get() + fetched.get(), total, n));
                            if (!dryRun) {
                                DirectoryRestore.finish(e, p, owners);
                            }
                        }
                        default -> throw LifeboatException.of(ErrorCode.OBJECT_CORRUPT, "tree entry of unknown type '" + e.type() + "'");
                    }
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            });
            List<String> named = new ArrayList<>();
            long removed = Files.isDirectory(root) ? removeUnwanted(root, "", wanted, notDirs, named) : 0;
            for (Map.Entry<String, Path> sub : elsewhere.dirs().entrySet()) {
                if (Files.isDirectory(sub.getValue())) {
                    removed += removeUnwanted(sub.getValue().toRealPath(), sub.getKey(), wanted, notDirs, named);
                }
            }
            if (lock != null) {
                lock.release(); // before the target's own time is set: deleting the lock file would change it
            }
            // Deepest first, as a full restore does: each directory's new, replaced and removed names made durable.
            for (int i = dirs.size() - 1; i >= 0 && !dryRun; i--) {
                Path d = elsewhere.place(root, dirs.get(i).path());
                DirectoryRestore.finish(dirs.get(i), d, owners);
                dev.lifeboat.repository.store.DurableFile.syncDirectory(d);
            }
            return new Result(files.get(), reused.get(), fetched.get(), removed, List.copyOf(named), dryRun);
        } catch (IOException | UncheckedIOException e) {
            String why = e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage();
            throw new LifeboatException(ErrorCode.USAGE, "cannot write under " + target + ": " + why,
                    "Check free space and permissions of the target directory.", e);
        } finally {
            if (lock != null) {
                lock.release();
            }
            pool.shutdownNow();
        }
    }

    /** How many names the file has (1 where the filesystem cannot tell). */
    private static int linkCount(Path p) throws IOException {
        try {
            return Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS) instanceof Integer n ? n : 1;
        } catch (UnsupportedOperationException e) {
            return 1;
        }
    }

    /** Whether patching would change the file: compared chunk by chunk, reading only, as a dry run does. */
    private boolean differs(TreeEntry e, Path p, ExecutorService pool) throws IOException {
        AtomicLong changed = new AtomicLong();
        new DeltaRestore(repo, threads, true, elsewhere, owners).patch(e, p, pool, new AtomicLong(), changed, () -> { });
        return changed.get() > 0 || e.size() == null || Files.size(p) != e.size();
    }

    /**
     * A file with other names (a {@code cp -al} or {@code rsync --link-dest} copy, {@code pg_upgrade --link}) that
     * patching would change is first copied to a file of its own under the same name: patched in place, every other
     * name would change too. An unchanged one keeps its links (no copy, no space).
     */
    static void breakHardLink(Path p) throws IOException {
        Path own = p.resolveSibling(".lifeboat-unlinked-" + p.getFileName() + "-" + Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt()));
        try {
            Files.copy(p, own, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            Files.move(own, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(own);
        }
    }

    /** Makes the file at {@code p} hold the entry's content, rewriting only the chunk ranges that differ. */
    private void patch(TreeEntry e, Path p, ExecutorService pool, AtomicLong reused, AtomicLong fetched, Runnable progress)
            throws IOException {
        List<String> chunks = e.chunks() == null ? List.of() : e.chunks();
        try (FileChannel ch = dryRun ? FileChannel.open(p, StandardOpenOption.READ)
                : FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long existing = ch.size();
            Deque<Future<?>> pending = new ArrayDeque<>();
            long offset = 0;
            for (String hex : chunks) {
                ChunkId id = ChunkId.parse(hex);
                int length = repo.index().find(id).map(PackedBlob::plainLength).orElseThrow(() -> LifeboatException.of(
                        ErrorCode.OBJECT_MISSING, "chunk " + hex + " of " + e.path() + " is in no index of the repository"));
                long at = offset;
                pending.add(pool.submit(() -> {
                    patchChunk(ch, id, at, length, existing, reused, fetched);
                    progress.run();
                    return null;
                }));
                if (pending.size() >= IN_FLIGHT) {
                    DirectoryRestore.await(pending.poll());
                }
                offset += length;
            }
            while (!pending.isEmpty()) {
                DirectoryRestore.await(pending.poll());
            }
            if (e.size() != null && offset != e.size()) {
                throw LifeboatException.of(ErrorCode.OBJECT_CORRUPT, "file " + e.path() + " has chunks of " + offset
                        + " bytes but the snapshot recorded " + e.size());
            }
            if (!dryRun) {
                ch.truncate(offset);
                ch.force(true);
            }
        }
    }

    private void patchChunk(FileChannel ch, ChunkId id, long at, int length, long existing, AtomicLong reused, AtomicLong fetched)
            throws IOException {
        if (at + length <= existing) {
            ByteBuffer have = ByteBuffer.allocate(length);
            while (have.hasRemaining() && ch.read(have, at + have.position()) >= 0) {
                // positional reads: safe from several threads
            }
            if (!have.hasRemaining() && repo.hasher().id(have.array(), 0, length).equals(id)) {
                reused.addAndGet(length);
                return;
            }
        }
        if (dryRun) {
            fetched.addAndGet(length);
            return;
        }
        byte[] data = repo.readBlob(id); // authenticated and checked against its id before anything is written
        ByteBuffer out = ByteBuffer.wrap(data);
        while (out.hasRemaining()) {
            ch.write(out, at + out.position());
        }
        fetched.addAndGet(data.length);
    }


    /**
     * Removes every path below {@code root} the snapshot does not list; returns how many were removed. {@code root}
     * holds the tree's paths below {@code prefix} (empty for the target itself, a subtree's path for its directory).
     * In a subtree placed elsewhere (a tablespace's location), only what lies inside the top-level entries the
     * snapshot has is touched: the location is shared ground (another major version's {@code PG_15_…} left by
     * pg_upgrade, a mount point's {@code lost+found}), not the snapshot's to clean.
     */
    private long removeUnwanted(Path root, String prefix, Set<String> wanted, Set<String> notDirs, List<String> named) throws IOException {
        long[] removed = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            private String relative(Path p) {
                return DirectoryBackup.relative(root, prefix, p);
            }

            /** An entry at the top of a subtree placed elsewhere that the snapshot does not have: not ours. */
            private boolean foreign(Path p, String rel) {
                return !prefix.isEmpty() && root.equals(p.getParent()) && !wanted.contains(rel);
            }

            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                String rel = relative(dir);
                if (foreign(dir, rel)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (prefix.isEmpty() && elsewhere.dirs().containsKey(rel)) {
                    // The subtree is restored elsewhere; a directory here (an older copy's own) is not the snapshot's.
                    name(rel + "/");
                    removed[0] += dryRun ? count(dir) : dev.lifeboat.core.io.Trees.delete(dir);
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (!rel.isEmpty() && !wanted.contains(rel)) {
                    name(rel + "/");
                    removed[0] += dryRun ? count(dir) : dev.lifeboat.core.io.Trees.delete(dir);
                    return FileVisitResult.SKIP_SUBTREE;
                }
                // A directory where the snapshot has a file or link is replaced whole (not counted as removed).
                return notDirs.contains(rel) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String rel = relative(file);
                if (!wanted.contains(rel) && !foreign(file, rel)) {
                    name(rel);
                    if (!dryRun) {
                        Files.delete(file);
                    }
                    removed[0]++;
                }
                return FileVisitResult.CONTINUE;
            }

            private void name(String rel) {
                if (named.size() < NAMED) {
                    named.add(rel);
                }
            }
        });
        return removed[0];
    }

    private static long count(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            return walk.count();
        }
    }
}
