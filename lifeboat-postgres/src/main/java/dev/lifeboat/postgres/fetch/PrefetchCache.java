package dev.lifeboat.postgres.fetch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Where {@code wal fetch} keeps prefetched segments. PostgreSQL replays whatever restore_command hands it, so the
 * directory must hold only what this user fetched for this very database system: it is one of this user's own
 * (mode 0700, owner checked, no symbolic link), and the cluster's system identifier (from the data directory's
 * pg_control) is part of its name, so segments left by the recovery of another system (a cluster of the same name
 * re-created, another repository) are never served, which would end recovery early.
 */
public final class PrefetchCache {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private PrefetchCache() {
    }

    /** What was decided: the directory to use, or why there is none (then nothing is prefetched). */
    public record Choice(java.util.Optional<Path> directory, String why) {
    }

    /**
     * The cache under {@code base} ({@code lifeboat-wal-USER/CLUSTER-SYSTEMID}) for the cluster whose data directory
     * is {@code dataDir}, created if needed.
     */
    public static Choice under(Path base, String cluster, Path dataDir) {
        long system;
        try {
            system = systemIdentifier(dataDir);
        } catch (IOException | RuntimeException e) {
            return new Choice(java.util.Optional.empty(), "cannot read the system identifier from " + dataDir.resolve("global/pg_control")
                    + " (" + e.getMessage() + "), so nothing is prefetched");
        }
        Path mine = base.resolve("lifeboat-wal-" + System.getProperty("user.name"));
        try {
            Files.createDirectories(base);
            ownDirectory(mine);
            Path dir = mine.resolve(cluster + "-" + Long.toUnsignedString(system));
            ownDirectory(dir);
            return new Choice(java.util.Optional.of(dir), "");
        } catch (IOException | SecurityException e) {
            return new Choice(java.util.Optional.empty(), e.getMessage() + ", so nothing is prefetched");
        }
    }

    /** The database system identifier: pg_control's first eight bytes, in the server's (little-endian) byte order. */
    static long systemIdentifier(Path dataDir) throws IOException {
        byte[] head = new byte[8];
        try (var in = Files.newInputStream(dataDir.resolve("global/pg_control"))) {
            if (in.readNBytes(head, 0, 8) < 8) {
                throw new IOException("pg_control is truncated");
            }
        }
        return ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static void ownDirectory(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another call made it: checked below
            }
        }
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isDirectory() || !a.owner().getName().equals(System.getProperty("user.name"))) {
            throw new IOException(dir + " is not a directory of " + System.getProperty("user.name")
                    + " (" + (a.isSymbolicLink() ? "a symbolic link" : a.isDirectory() ? "owned by " + a.owner().getName() : "a file") + ")");
        }
        if (!a.permissions().equals(OWNER_ONLY)) {
            Files.setPosixFilePermissions(dir, OWNER_ONLY);
        }
    }
}
