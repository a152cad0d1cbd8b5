package dev.lifeboat.repository.files;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.chunk.ChunkId;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Restores a directory snapshot into an empty or absent directory: files, empty directories, symbolic links,
 * permission bits, modification times, and owners when running as root. Each file is written to a temporary name
 * and renamed only once all its chunks are verified, so a damaged chunk fails the restore without leaving a file
 * with wrong content.
 */
public final class DirectoryRestore {
    private final Repository repo;

    public DirectoryRestore(Repository repo) {
        this.repo = repo;
    }

    /** Restores; returns the number of files written. */
    public long run(Snapshot snapshot, Path target, Progress progress) {
        prepare(target);
        Path root = target.toAbsolutePath().normalize();
        List<TreeEntry> dirs = new ArrayList<>();
        AtomicLong files = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        long total = snapshot.manifest().stats().bytes();
        boolean root0 = isRoot();
        try {
            TreeReader.forEach(repo, snapshot, e -> {
                Path p = resolve(root, e.path());
                try {
                    switch (e.type()) {
                        case TreeEntry.DIR -> {
                            Files.createDirectories(p);
                            dirs.add(e);
                        }
                        case TreeEntry.SYMLINK -> Files.createSymbolicLink(p, Path.of(e.target()));
                        case TreeEntry.FILE -> {
                            writeFile(e, p, bytes, total, files.incrementAndGet(), progress);
                            finish(e, p, root0);
                        }
                        default -> throw LifeboatException.of(ErrorCode.OBJECT_CORRUPT, "tree entry of unknown type '" + e.type() + "'");
                    }
                    if (root0 && e.type().equals(TreeEntry.SYMLINK) && e.uid() != null) {
                        Files.setAttribute(p, "unix:uid", e.uid(), LinkOption.NOFOLLOW_LINKS);
                        Files.setAttribute(p, "unix:gid", e.gid(), LinkOption.NOFOLLOW_LINKS);
                    }
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            });
            // Directory times last: writing into a directory changes its time.
            for (int i = dirs.size() - 1; i >= 0; i--) {
                finish(dirs.get(i), resolve(root, dirs.get(i).path()), root0);
            }
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot write under " + target + ": " + e.getMessage(),
                    "Check free space and permissions of the target directory.", e);
        } catch (UncheckedIOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot write under " + target + ": " + e.getCause().getMessage(),
                    "Check free space and permissions of the target directory.", e);
        }
        return files.get();
    }

    private void writeFile(TreeEntry e, Path p, AtomicLong bytes, long total, long files, Progress progress) throws IOException {
        Path temp = p.resolveSibling(".lifeboat-partial-" + p.getFileName());
        boolean done = false;
        try {
            long written = 0;
            try (OutputStream out = Files.newOutputStream(temp)) {
                for (String hex : e.chunks()) {
                    byte[] data = repo.readBlob(ChunkId.parse(hex));
                    out.write(data);
                    written += data.length;
                    progress.update(bytes.addAndGet(data.length), total, files);
                }
            }
            if (e.size() != null && written != e.size()) {
                throw LifeboatException.of(ErrorCode.OBJECT_CORRUPT, "file " + e.path() + " restored to " + written
                        + " bytes but the snapshot recorded " + e.size());
            }
            Files.move(temp, p, StandardCopyOption.ATOMIC_MOVE);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private static void finish(TreeEntry e, Path p, boolean root) throws IOException {
        if (root && e.uid() != null) {
            Files.setAttribute(p, "unix:uid", e.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", e.gid(), LinkOption.NOFOLLOW_LINKS);
        }
        Files.setPosixFilePermissions(p, PosixModes.toPermissions(e.mode()));
        Files.setLastModifiedTime(p, FileTime.from(e.mtime(), TimeUnit.NANOSECONDS));
    }

    private static Path resolve(Path root, String rel) {
        Path p = rel.isEmpty() ? root : root.resolve(rel).normalize();
        if (!p.startsWith(root)) {
            throw LifeboatException.of(ErrorCode.OBJECT_CORRUPT, "tree entry '" + rel + "' points outside the restore target");
        }
        return p;
    }

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
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
