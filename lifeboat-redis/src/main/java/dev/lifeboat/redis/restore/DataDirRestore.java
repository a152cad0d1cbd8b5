package dev.lifeboat.redis.restore;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.redis.rdb.RdbSnapshotReader;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.files.FileContent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Places a snapshot's RDB into the data directory of a stopped Redis: the RDB is checked to its end first, the
 * directory must not be any running process's working directory (redis-server runs in its {@code dir}), files
 * already there ({@code dump.rdb}, the AOF directory or file) are moved aside under a {@code .before-lifeboat-TIME}
 * name rather than deleted. The new data is written first, to a temporary name (files 0600, owned like the data
 * directory), and made durable; only then is the old data moved aside and the new renamed in, and the directory
 * synced. Moving the AOF aside matters: a server with {@code appendonly yes} loads the AOF and ignores the RDB.
 */
public final class DataDirRestore {
    private final Repository repo;
    private final Clock clock;

    public DataDirRestore(Repository repo, Clock clock) {
        this.repo = repo;
        this.clock = clock;
    }

    /** What was placed (the RDB, or the AOF directory for an AOF snapshot) and what was moved aside. */
    public record Placement(Path rdb, long bytes, List<Path> movedAside, boolean aof) {
    }

    /** Whether a snapshot holds a multi-part AOF (from {@code backup redis --aof}) rather than an RDB. */
    public static boolean isAof(Snapshot snapshot) {
        return "aof".equals(snapshot.manifest().labels().get("format"));
    }

    public Placement place(Snapshot snapshot, Path dir, String dbFilename, String aofName) {
        boolean aof = isAof(snapshot);
        if (aof) {
            checkAofBase(snapshot);
        } else {
            new CacheRestore(repo).check(snapshot);
        }
        Optional<ProcessHandle> user = processIn(dir);
        if (user.isPresent()) {
            throw new LifeboatException(ErrorCode.TARGET_IN_USE, "process " + user.get().pid() + " ("
                    + user.get().info().command().orElse("?") + ") runs in " + dir + " (or is a redis-server whose working directory this user "
                    + "cannot read); a running Redis would overwrite the restored RDB", "Stop the server first, or run the restore as root or as "
                    + "the server's user so Lifeboat can tell where it runs.");
        }
        try {
            Files.createDirectories(dir);
            Owner owner = Owner.of(dir);
            owner.refuseUnlessServable(dir);
            // The new data is written and made durable first, under a temporary name: a failed read or a full disk
            // leaves the directory as it was. Only then is the old data moved aside and the new renamed into place.
            Path target = dir.resolve(aof ? aofName : dbFilename);
            Path tmp = dir.resolve(target.getFileName() + ".lifeboat-partial");
            dev.lifeboat.core.io.Trees.delete(tmp); // a killed restore's leftover: ours
            long bytes = aof ? writeAof(snapshot, tmp, owner) : writeRdb(snapshot, tmp, owner);
            String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(java.time.ZoneOffset.UTC).format(clock.instant());
            List<Path> moved = new ArrayList<>();
            List<Path> from = new ArrayList<>();
            try {
                for (String name : List.of(dbFilename, aofName, "appendonly.aof")) {
                    Path existing = dir.resolve(name);
                    if (Files.exists(existing, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Path aside = dir.resolve(name + ".before-lifeboat-" + stamp);
                        Files.move(existing, aside, StandardCopyOption.ATOMIC_MOVE);
                        moved.add(aside);
                        from.add(existing);
                    }
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                for (int i = moved.size() - 1; i >= 0; i--) {
                    try {
                        Files.move(moved.get(i), from.get(i), StandardCopyOption.ATOMIC_MOVE);
                    } catch (IOException ignored) {
                        // named in the message below: the files are still there under their .before-lifeboat name
                    }
                }
                dev.lifeboat.core.io.Trees.delete(tmp);
                throw new IOException(e.getMessage() + (moved.isEmpty() ? "" : " (moved back: " + moved + ")"), e);
            }
            dev.lifeboat.repository.store.DurableFile.syncDirectory(dir);
            return new Placement(target, bytes, moved, aof);
        } catch (IOException | java.io.UncheckedIOException e) {
            String why = e instanceof java.io.UncheckedIOException u ? u.getCause().getMessage() : e.getMessage();
            throw new LifeboatException(ErrorCode.USAGE, "cannot write into " + dir + ": " + why,
                    "Run as a user that may write the Redis data directory.", e);
        }
    }

    /** The RDB, written to {@code tmp} (0600, owned like the data directory) and made durable. */
    private long writeRdb(Snapshot snapshot, Path tmp, Owner owner) throws IOException {
        long bytes;
        try (InputStream in = FileContent.open(repo, RdbSnapshotReader.rdbEntry(repo, snapshot)); OutputStream out = newPrivateFile(tmp, owner)) {
            bytes = in.transferTo(out);
            out.flush();
            dev.lifeboat.repository.store.DurableFile.syncFile(tmp);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return bytes;
    }

    /** The AOF files, written into the directory {@code tmp} (0700, files 0600, owned like the data directory), each made durable, then the directory. */
    private long writeAof(Snapshot snapshot, Path tmp, Owner owner) throws IOException {
        Files.createDirectory(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        owner.apply(tmp);
        long[] bytes = {0};
        try {
            dev.lifeboat.repository.files.TreeReader.forEach(repo, snapshot, e -> {
                if (e.type().equals(dev.lifeboat.repository.files.TreeEntry.FILE) && e.path().startsWith("appendonlydir/")) {
                    String name = e.path().substring("appendonlydir/".length());
                    if (name.isEmpty() || name.contains("/") || name.equals("..") || name.equals(".")) {
                        throw LifeboatException.of(ErrorCode.OBJECT_CORRUPT, "AOF entry '" + e.path() + "' is not a file name");
                    }
                    Path out = tmp.resolve(name);
                    try (InputStream in = FileContent.open(repo, e); OutputStream o = newPrivateFile(out, owner)) {
                        bytes[0] += in.transferTo(o);
                        o.close();
                        dev.lifeboat.repository.store.DurableFile.syncFile(out);
                    } catch (IOException ex) {
                        throw new java.io.UncheckedIOException(ex);
                    }
                }
            });
            dev.lifeboat.repository.store.DurableFile.syncDirectory(tmp);
        } catch (IOException | RuntimeException e) {
            dev.lifeboat.core.io.Trees.delete(tmp);
            throw e;
        }
        return bytes[0];
    }

    /** A new file only its owner may read (sessions and tokens live in a cache), owned like the data directory. */
    private static OutputStream newPrivateFile(Path file, Owner owner) throws IOException {
        Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        owner.apply(file);
        return Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** The data directory's owner and group, given to what the restore creates when running as root (redis-server runs as its own user). */
    private record Owner(java.nio.file.attribute.UserPrincipal user, java.nio.file.attribute.GroupPrincipal group) {
        static Owner of(Path dir) throws IOException {
            var a = Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class);
            return new Owner(a.owner(), a.group());
        }

        /**
         * Files are created 0600 and, only as root, given to the directory's owner: run as another user, they would
         * be ours and the server could not read them. Refused before anything in the directory changes.
         */
        void refuseUnlessServable(Path dir) throws IOException {
            if (!"root".equals(System.getProperty("user.name")) && !user.getName().equals(System.getProperty("user.name"))) {
                throw new LifeboatException(ErrorCode.USAGE, dir + " belongs to " + user.getName() + ", and files restored as "
                        + System.getProperty("user.name") + " would be unreadable to a server running as " + user.getName(),
                        "Run the restore as " + user.getName() + " (the server's user) or as root.");
            }
        }

        void apply(Path p) throws IOException {
            if ("root".equals(System.getProperty("user.name"))) {
                var view = Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                view.setOwner(user);
                view.setGroup(group);
            }
        }
    }

    private void checkAofBase(Snapshot snapshot) {
        dev.lifeboat.repository.files.TreeReader.forEach(repo, snapshot, e -> {
            if (e.path().endsWith(".base.rdb")) {
                try (InputStream in = FileContent.open(repo, e)) {
                    RdbSnapshotReader.check(in);
                } catch (IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
            }
        });
    }

    /**
     * A live process whose working directory is {@code dir} (Linux: /proc/PID/cwd), if any. The comparison is by
     * file identity through the link, so a server in a container (its cwd /data in its own mount namespace) is
     * found too. It fails closed: a redis-server whose working directory cannot be read (another user's, without
     * root) counts as running there, since a live server would overwrite the restore.
     */
    static Optional<ProcessHandle> processIn(Path dir) {
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            return Optional.empty();
        }
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(p -> p.pid() != ProcessHandle.current().pid()).filter(p -> {
                Path cwd = Path.of("/proc", Long.toString(p.pid()), "cwd");
                try {
                    return Files.isSameFile(cwd, real);
                } catch (java.nio.file.NoSuchFileException gone) {
                    return false;
                } catch (IOException | UnsupportedOperationException | SecurityException e) {
                    return isRedisServer(p.pid());
                }
            }).findFirst();
        }
    }

    /** Whether the process runs redis-server (its command line, readable for every process). */
    private static boolean isRedisServer(long pid) {
        try {
            String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), java.nio.charset.StandardCharsets.UTF_8);
            String first = cmdline.split("\0| ", 2)[0];
            return first.endsWith("redis-server") || first.startsWith("redis-server");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
