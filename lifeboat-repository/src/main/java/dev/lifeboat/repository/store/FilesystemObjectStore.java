package dev.lifeboat.repository.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A store in a local directory. Writes go to a temporary file in the target directory, are made durable (objects of
 * 1 MiB and more written with O_DIRECT where the filesystem allows, see {@link DurableFile}), renamed into place
 * and the directory fsynced, so an object is either absent or complete even after a crash or power loss.
 * {@link #putIfAbsent} uses a hard link, which fails atomically if the name exists.
 */
public final class FilesystemObjectStore implements ObjectStore {
    private static final String TEMP_PREFIX = ".tmp-";
    private final Path root;
    /** Whether this directory's filesystem takes O_DIRECT writes (packs of 1 MiB and more; see {@link DurableFile}). */
    private final java.util.concurrent.atomic.AtomicBoolean direct = new java.util.concurrent.atomic.AtomicBoolean(true);

    public FilesystemObjectStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    private Path path(String name) {
        return root.resolve(ObjectNames.check(name));
    }

    @Override
    public void put(String name, byte[] data) {
        put(name, data, 0, data.length);
    }

    @Override
    public void put(String name, byte[] data, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, data.length);
        Path target = path(name);
        Path temp = writeTemp(target, data, offset, length);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            DurableFile.syncDirectory(target.getParent());
        } catch (AtomicMoveNotSupportedException e) {
            deleteQuietly(temp);
            throw failure(StoreException.Kind.PERMANENT, name, "the filesystem cannot rename atomically", e);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw failure(name, "cannot store", e);
        }
    }

    @Override
    public boolean putIfAbsent(String name, byte[] data) {
        Path target = path(name);
        if (Files.exists(target)) {
            return false;
        }
        Path temp = writeTemp(target, data, 0, data.length);
        try {
            Files.createLink(target, temp);
            DurableFile.syncDirectory(target.getParent());
            return true;
        } catch (FileAlreadyExistsException e) {
            // NFS may answer a retransmitted LINK that succeeded with EEXIST: then the name is our own file.
            return sameFile(target, temp);
        } catch (UnsupportedOperationException e) {
            throw failure(StoreException.Kind.PERMANENT, name, "the filesystem has no hard links", e);
        } catch (java.nio.file.FileSystemException e) {
            // vfat, exFAT, CIFS without Unix extensions: EPERM or EOPNOTSUPP, which no retry cures.
            String reason = String.valueOf(e.getReason());
            if (reason.contains("not permitted") || reason.contains("not supported")) {
                throw failure(StoreException.Kind.PERMANENT, name, "the filesystem refuses hard links (" + reason
                        + "), which a repository needs to create objects atomically; use a Linux filesystem (ext4, xfs) or NFS", e);
            }
            throw failure(name, "cannot store", e);
        } catch (IOException e) {
            throw failure(name, "cannot store", e);
        } finally {
            deleteQuietly(temp);
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private Path writeTemp(Path target, byte[] data, int offset, int length) {
        try {
            DurableFile.createDirectories(target.getParent());
            Path temp = target.resolveSibling(TEMP_PREFIX + target.getFileName() + "-" + UUID.randomUUID());
            try (DurableFile out = DurableFile.create(temp, length, direct, StandardOpenOption.CREATE_NEW)) {
                out.write(data, offset, length);
                out.finish();
            } catch (IOException | RuntimeException e) {
                deleteQuietly(temp); // a full disk must not be made fuller by half-written copies the listing hides
                throw e;
            }
            return temp;
        } catch (IOException e) {
            throw failure(target.toString(), "cannot write", e);
        }
    }

    @Override
    public byte[] get(String name) {
        try {
            return Files.readAllBytes(path(name));
        } catch (NoSuchFileException e) {
            throw StoreException.notFound(location(), name);
        } catch (IOException e) {
            throw failure(name, "cannot read", e);
        }
    }

    @Override
    public byte[] get(String name, long offset, int length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative range " + offset + "+" + length);
        }
        try (FileChannel ch = FileChannel.open(path(name), StandardOpenOption.READ)) {
            long size = ch.size();
            int n = (int) Math.max(0, Math.min(length, size - offset));
            ByteBuffer buf = ByteBuffer.allocate(n);
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) {
                    break;
                }
            }
            return buf.position() == n ? buf.array() : java.util.Arrays.copyOf(buf.array(), buf.position());
        } catch (NoSuchFileException e) {
            throw StoreException.notFound(location(), name);
        } catch (IOException e) {
            throw failure(name, "cannot read", e);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String name) {
        try {
            BasicFileAttributes a = Files.readAttributes(path(name), BasicFileAttributes.class);
            return Optional.of(new ObjectInfo(name, a.size(), a.lastModifiedTime().toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw failure(name, "cannot stat", e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        List<ObjectInfo> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        // Walk only the directory the prefix lies in.
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start)) {
            return out;
        }
        // Other processes write and delete while we list: a temporary file renamed into place, or an object pruned,
        // between reading a directory and reading the entry's attributes is simply not listed.
        try {
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path p, BasicFileAttributes a) {
                    String name = root.relativize(p).toString().replace('\\', '/');
                    if (a.isRegularFile() && name.startsWith(prefix) && !p.getFileName().toString().startsWith(TEMP_PREFIX)) {
                        out.add(new ObjectInfo(name, a.size(), a.lastModifiedTime().toInstant()));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path p, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // the directory itself went away: nothing under it
        } catch (IOException e) {
            throw failure(prefix, "cannot list", e);
        }
        return out;
    }

    /** Temporary files ({@code .tmp-*}) a writer killed between writing and renaming left, last written before {@code before}. */
    @Override
    public Leftovers leftovers(java.time.Instant before) {
        return temporaries(before, false);
    }

    @Override
    public Leftovers removeLeftovers(java.time.Instant before) {
        return temporaries(before, true);
    }

    private Leftovers temporaries(java.time.Instant before, boolean remove) {
        if (!Files.isDirectory(root)) {
            return Leftovers.NONE;
        }
        Leftovers[] found = {Leftovers.NONE};
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path p, BasicFileAttributes a) throws IOException {
                    if (a.isRegularFile() && p.getFileName().toString().startsWith(TEMP_PREFIX)
                            && a.lastModifiedTime().toInstant().isBefore(before)) {
                        if (!remove || Files.deleteIfExists(p)) {
                            found[0] = found[0].plus(new Leftovers(1, a.size()));
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path p, IOException e) throws IOException {
                    if (e instanceof AccessDeniedException) {
                        // not the repository's (lost+found at a mount's root, say): skipped, and said
                        found[0] = found[0].plus(Leftovers.unknown("cannot read " + p));
                        return FileVisitResult.CONTINUE;
                    }
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw failure(TEMP_PREFIX + "*", remove ? "cannot remove leftover" : "cannot list leftover", e);
        }
        return found[0];
    }

    @Override
    public void delete(String name) {
        try {
            Files.deleteIfExists(path(name));
        } catch (IOException e) {
            throw failure(name, "cannot delete", e);
        }
    }

    @Override
    public StoreFeatures features() {
        return new StoreFeatures(true, false, false);
    }

    @Override
    public String location() {
        return "file:" + root;
    }

    /** Makes a rename durable. Platforms that cannot open directories skip it; the rename is atomic regardless. */
    private StoreException failure(String name, String what, Throwable e) {
        // Permission denied, and a read-only mount (EROFS: a DR copy mounted read-only), are answers, not outages.
        boolean refused = e instanceof AccessDeniedException || e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null
                && fse.getReason().contains("Read-only file system");
        StoreException.Kind kind = refused ? StoreException.Kind.PERMANENT : StoreException.Kind.RETRYABLE;
        return failure(kind, name, what, e);
    }

    private StoreException failure(StoreException.Kind kind, String name, String what, Throwable e) {
        return new StoreException(kind, name, location() + ": " + what + " " + name + ": " + e.getMessage(), e);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a leftover temp file is ignored by list() and harmless
        }
    }
}
