package dev.lifeboat.postgres.check;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.io.Trees;
import dev.lifeboat.postgres.recovery.PostgresControl;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The scratch directory a full verification restores into, and the clean-up of those a killed verification left
 * behind (the agent got SIGKILL, the host went down): a running scratch PostgreSQL and a whole copy of the database.
 *
 * <p>Scratch directories live in a parent of their own per user, {@code <tmp>/lifeboat-scratch-<user>}, mode 0711
 * and checked to be a real directory owned by this user that nobody else can write, so no other local user can plant
 * an entry that a sweep would act on. Each scratch directory holds a {@code lock} file that its verification keeps
 * locked (an exclusive file lock) while it runs: the kernel releases it when the process dies, whatever becomes of
 * its pid or the clock. A sweep takes a directory as abandoned only when it can take that lock; it then stops the
 * PostgreSQL running in it (only a postmaster whose pid file and working directory are that data directory) and
 * deletes the directory.
 */
public final class ScratchDirectory implements AutoCloseable {
    static final String PREFIX = "verify-";
    static final String LOCK = "lock";
    /** A directory without a lock file younger than this is left alone (its verification may be setting it up). */
    static final Duration GRACE = Duration.ofMinutes(1);
    private static final Set<PosixFilePermission> PARENT_MODE = PosixFilePermissions.fromString("rwx--x--x");

    private final Path path;
    private final FileChannel lock;

    private ScratchDirectory(Path path, FileChannel lock) {
        this.path = path;
        this.lock = lock;
    }

    /**
     * The per-user parent under {@code tmp}, created if missing.
     *
     * @throws LifeboatException {@code usage} when it exists but is not a directory of this user's that only this
     *                           user can write
     */
    public static Path parent(Path tmp) {
        String user = System.getProperty("user.name").replaceAll("[^A-Za-z0-9_.-]", "_");
        Path parent = tmp.resolve("lifeboat-scratch-" + user);
        try {
            try {
                Files.createDirectory(parent, PosixFilePermissions.asFileAttribute(PARENT_MODE));
                Files.setPosixFilePermissions(parent, PARENT_MODE); // the umask may have taken bits away
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // checked below
            }
            PosixFileAttributes a = Files.readAttributes(parent, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            boolean othersWrite = a.permissions().contains(PosixFilePermission.GROUP_WRITE) || a.permissions().contains(PosixFilePermission.OTHERS_WRITE);
            if (!a.isDirectory() || !a.owner().getName().equals(System.getProperty("user.name")) || othersWrite) {
                throw new LifeboatException(ErrorCode.USAGE, parent + " is not a directory of " + System.getProperty("user.name")
                        + " that only it can write (found " + (a.isSymbolicLink() ? "a symbolic link" : a.isDirectory() ? "owner " + a.owner().getName()
                        + ", mode " + PosixFilePermissions.toString(a.permissions()) : "a file") + ")",
                        "Full verifications restore under it; remove it, or point java.io.tmpdir elsewhere (LIFEBOAT_JAVA_OPTS=-Djava.io.tmpdir=DIR).");
            }
            return parent;
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot create the scratch directory " + parent + ": " + e.getMessage(),
                    "Check free space and permissions there, or point java.io.tmpdir elsewhere (LIFEBOAT_JAVA_OPTS=-Djava.io.tmpdir=DIR).", e);
        }
    }

    /**
     * Creates a scratch directory under {@code parent} (from {@link #parent}), reachable (not readable) by the
     * PostgreSQL user, and locks it for as long as this object is open.
     */
    public static ScratchDirectory create(Path parent) {
        try {
            Path dir = Files.createTempDirectory(parent, PREFIX);
            // Locked under another name, then renamed: a sweep never finds an unlocked lock file of a live verification.
            Path pending = dir.resolve(LOCK + ".new");
            FileChannel channel = FileChannel.open(pending, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            channel.lock();
            channel.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
            Files.move(pending, dir.resolve(LOCK), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Files.setPosixFilePermissions(dir, PARENT_MODE);
            return new ScratchDirectory(dir, channel);
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot create a scratch directory in " + parent + ": " + e.getMessage(),
                    "Check free space and permissions there, or point java.io.tmpdir elsewhere (LIFEBOAT_JAVA_OPTS=-Djava.io.tmpdir=DIR).", e);
        }
    }

    public Path path() {
        return path;
    }

    /** Deletes the directory, then gives up the lock. */
    @Override
    public void close() {
        Trees.deleteQuietly(path);
        try {
            lock.close();
        } catch (IOException e) {
            // the lock goes with the process anyway
        }
    }

    /**
     * Stops and deletes the scratch directories under {@code parent} that no running verification holds; returns one
     * sentence per directory removed or left, for the report. Never throws: a directory it cannot handle is named.
     */
    public static List<String> sweep(Path parent, Optional<Path> binDir) {
        List<String> said = new ArrayList<>();
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, PREFIX + "*")) {
            dirs.forEach(entries::add);
        } catch (IOException e) {
            return said; // nothing to sweep, or nothing readable: the verification itself will say so
        }
        for (Path dir : entries) {
            try {
                sweepOne(dir, binDir).ifPresent(said::add);
            } catch (IOException | RuntimeException e) {
                said.add("could not remove the scratch directory " + dir + " of an interrupted verification: " + e.getMessage());
            }
        }
        return said;
    }

    private static Optional<String> sweepOne(Path dir, Optional<Path> binDir) throws IOException {
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isDirectory() || !a.owner().getName().equals(System.getProperty("user.name"))) {
            return Optional.empty(); // not one of ours
        }
        Path lockFile = dir.resolve(LOCK);
        if (!Files.isRegularFile(lockFile, LinkOption.NOFOLLOW_LINKS)) {
            // Killed between creating the directory and locking it, or being created right now.
            return a.lastModifiedTime().toInstant().isAfter(Instant.now().minus(GRACE)) ? Optional.empty()
                    : Optional.of(remove(dir, binDir, "it has no lock file"));
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            FileLock held;
            try {
                held = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                return Optional.empty(); // this process runs it
            }
            if (held == null) {
                return Optional.empty(); // a running verification holds it
            }
            return Optional.of(remove(dir, binDir, "no process holds its lock"));
        }
    }

    private static String remove(Path dir, Optional<Path> binDir, String why) {
        Path data = dir.resolve("data");
        boolean stopped = false;
        Optional<Long> postmaster = ourPostmaster(data);
        if (postmaster.isPresent()) {
            try {
                PostgresControl.of(data, binDir).stop(Duration.ofSeconds(60));
            } catch (LifeboatException e) {
                // pg_ctl could not stop it: it is our scratch server (pid file and working directory say so)
                ProcessHandle.of(postmaster.get()).ifPresent(ProcessHandle::destroyForcibly);
            }
            stopped = true;
        }
        Trees.deleteQuietly(dir);
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return "could not delete all of the scratch directory " + dir + " of an interrupted verification (" + why + ")";
        }
        return "removed the scratch directory " + dir + " of an interrupted verification (" + why + ")"
                + (stopped ? " after stopping the PostgreSQL still running in it" : "");
    }

    /**
     * The pid of a postmaster running from {@code data}: its pid file names the pid and this data directory, and the
     * process's working directory is this data directory (a pid file left from before a reboot may name a pid that
     * now belongs to anything).
     */
    static Optional<Long> ourPostmaster(Path data) {
        try {
            List<String> lines = Files.readAllLines(data.resolve("postmaster.pid"));
            long pid = Long.parseLong(lines.get(0).trim());
            Path real = data.toRealPath();
            if (lines.size() < 2 || !Path.of(lines.get(1).trim()).equals(data) && !Path.of(lines.get(1).trim()).equals(real)) {
                return Optional.empty();
            }
            Path cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"));
            return cwd.equals(real) && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? Optional.of(pid) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
