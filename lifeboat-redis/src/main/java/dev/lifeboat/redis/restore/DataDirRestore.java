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
import java.nio.channels.FileChannel;
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
 * name rather than deleted, and the RDB is written to a temporary name, synced and renamed. Moving the AOF aside
 * matters: a server with {@code appendonly yes} loads the AOF and ignores the RDB.
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
            String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(java.time.ZoneOffset.UTC).format(clock.instant());
            List<Path> moved = new ArrayList<>();
            for (String name : List.of(dbFilename, aofName, "appendonly.aof")) {
                Path existing = dir.resolve(name);
                if (Files.exists(existing)) {
                    Path aside = dir.resolve(name + ".before-lifeboat-" + stamp);
                    Files.move(existing, aside, StandardCopyOption.ATOMIC_MOVE);
                    moved.add(aside);
                }
            }
            if (aof) {
                return placeAof(snapshot, dir.resolve(aofName), moved);
            }
            Path tmp = dir.resolve(dbFilename + ".lifeboat-partial");
            long bytes;
            try (InputStream in = FileContent.open(repo, RdbSnapshotReader.rdbEntry(repo, snapshot));
                 OutputStream out = Files.newOutputStream(tmp)) {
                bytes = in.transferTo(out);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Path rdb = dir.resolve(dbFilename);
            Files.move(tmp, rdb, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
            return new Placement(rdb, bytes, moved, false);
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot write into " + dir + ": " + e.getMessage(),
                    "Run as a user that may write the Redis data directory.", e);
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

    /** Writes the AOF files into a temporary directory beside the target, syncs them, and renames it into place. */
    private Placement placeAof(Snapshot snapshot, Path aofDir, List<Path> moved) throws IOException {
        Path tmp = aofDir.resolveSibling(aofDir.getFileName() + ".lifeboat-partial");
        Files.createDirectories(tmp);
        long[] bytes = {0};
        dev.lifeboat.repository.files.TreeReader.forEach(repo, snapshot, e -> {
            if (e.type().equals(dev.lifeboat.repository.files.TreeEntry.FILE) && e.path().startsWith("appendonlydir/")) {
                Path out = tmp.resolve(e.path().substring("appendonlydir/".length()));
                try (InputStream in = FileContent.open(repo, e); OutputStream o = Files.newOutputStream(out)) {
                    bytes[0] += in.transferTo(o);
                } catch (IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
                try (FileChannel ch = FileChannel.open(out, StandardOpenOption.WRITE)) {
                    ch.force(true);
                } catch (IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
            }
        });
        Files.move(tmp, aofDir, StandardCopyOption.ATOMIC_MOVE);
        return new Placement(aofDir, bytes[0], moved, true);
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
