package dev.lifeboat.postgres.tablespace;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a restore puts a backup's tablespaces. By default each goes beside the new data directory, in
 * {@code DATA.tablespaces/OID}, linked from {@code pg_tblspc/OID} (as the staged WAL goes to {@code DATA.wal}): a
 * restore never writes to the cluster's original tablespace locations, which on the same host belong to the
 * running cluster. {@code --tablespace-map NAME=DIR} (or {@code OID=DIR}) puts one in DIR instead, as pgBackRest's
 * and pg_basebackup's mappings do. An in-place tablespace (PostgreSQL 15's {@code allow_in_place_tablespaces}: a
 * directory in pg_tblspc, no location) stays in place, and the restored cluster gets that setting too.
 *
 * <p>Contract: {@link #of} validates every target before anything is written (new or empty directories only);
 * {@link #finish} runs after the restore and leaves no {@code tablespace_map} behind (PostgreSQL would recreate
 * links to the original locations).
 */
public final class TablespacePlacement {
    private final List<Tablespace> tablespaces;
    private final Map<String, Path> placed;

    private TablespacePlacement(List<Tablespace> tablespaces, Map<String, Path> placed) {
        this.tablespaces = tablespaces;
        this.placed = placed;
    }

    /** Every tablespace in its default place for a restore into {@code dataDir}. */
    public static TablespacePlacement defaults(List<Tablespace> tablespaces, Path dataDir) {
        return of(tablespaces, List.of(), dataDir);
    }

    /**
     * Resolves {@code NAME=DIR} or {@code OID=DIR} mappings against the backup's tablespaces; the others go to their
     * default place beside {@code dataDir}.
     *
     * @throws LifeboatException {@code usage} for a malformed mapping, an unknown tablespace or a relative DIR;
     *                           {@code target-not-empty} for a directory that holds anything
     */
    public static TablespacePlacement of(List<Tablespace> tablespaces, List<String> mappings, Path dataDir) {
        Map<String, Path> placed = mapped(tablespaces, mappings);
        Path data = dataDir.toAbsolutePath().normalize();
        for (Tablespace t : tablespaces) {
            if (!placed.containsKey(t.oid()) && !t.location().isEmpty()) {
                placed.put(t.oid(), defaultPlace(data, t));
            }
        }
        refuseOverlaps(placed, data);
        placed.values().forEach(TablespacePlacement::refuseNonEmpty);
        return new TablespacePlacement(tablespaces, placed);
    }

    private static Path defaultPlace(Path data, Tablespace t) {
        return data.resolveSibling(data.getFileName() + ".tablespaces").resolve(t.oid());
    }

    /** The tablespaces {@code NAME=DIR} / {@code OID=DIR} mappings place, by OID. */
    private static Map<String, Path> mapped(List<Tablespace> tablespaces, List<String> mappings) {
        Map<String, Path> placed = new LinkedHashMap<>();
        for (String m : mappings) {
            int eq = m.indexOf('=');
            if (eq <= 0 || eq == m.length() - 1) {
                throw new LifeboatException(ErrorCode.USAGE, "'" + m + "' is not NAME=DIR", "Map a tablespace as --tablespace-map NAME=DIR or OID=DIR.");
            }
            String key = m.substring(0, eq);
            Path dir = Path.of(m.substring(eq + 1));
            Tablespace t = tablespaces.stream().filter(x -> x.oid().equals(key) || x.name().equals(key)).findFirst()
                    .orElseThrow(() -> new LifeboatException(ErrorCode.USAGE, "the backup has no tablespace '" + key + "'",
                            tablespaces.isEmpty() ? "It has no tablespaces: drop --tablespace-map."
                                    : "Its tablespaces: " + String.join(", ", tablespaces.stream().map(Tablespace::toString).toList()) + "."));
            if (!dir.isAbsolute()) {
                throw new LifeboatException(ErrorCode.USAGE, "tablespace directory " + dir + " is not absolute",
                        "PostgreSQL links tablespaces by absolute path: give one.");
            }
            placed.put(t.oid(), dir.normalize());
        }
        return placed;
    }

    /**
     * For a delta restore into {@code dataDir}, which may hold an older copy of the cluster: each tablespace goes
     * where a mapping says, else where the copy's {@code pg_tblspc/OID} link points (its own tablespace, compared
     * and patched in place), else to its default place. Targets may hold files (that is the point of a delta); they
     * still may not overlap.
     *
     * @throws LifeboatException {@code usage} as {@link #of}
     */
    public static TablespacePlacement forDelta(List<Tablespace> tablespaces, List<String> mappings, Path dataDir) {
        Map<String, Path> placed = mapped(tablespaces, mappings);
        Path data = dataDir.toAbsolutePath().normalize();
        for (Tablespace t : tablespaces) {
            if (!placed.containsKey(t.oid()) && !t.location().isEmpty()) { // an in-place one stays inside the data directory
                placed.put(t.oid(), existingLinkTarget(data.resolve("pg_tblspc").resolve(t.oid())).orElse(defaultPlace(data, t)));
            }
        }
        refuseOverlaps(placed, data);
        return new TablespacePlacement(tablespaces, placed);
    }

    private static java.util.Optional<Path> existingLinkTarget(Path link) {
        try {
            if (Files.isSymbolicLink(link)) {
                Path target = Files.readSymbolicLink(link);
                if (target.isAbsolute()) {
                    return java.util.Optional.of(target.normalize());
                }
            }
        } catch (IOException e) {
            // unreadable: the default place
        }
        return java.util.Optional.empty();
    }

    /** Two tablespaces in one directory, or one inside another or inside the data directory, would mix their files. */
    private static void refuseOverlaps(Map<String, Path> placed, Path data) {
        List<Map.Entry<String, Path>> all = new ArrayList<>(placed.entrySet());
        for (int i = 0; i < all.size(); i++) {
            Path a = all.get(i).getValue();
            if (a.startsWith(data) || data.startsWith(a) || a.startsWith(data.resolveSibling(data.getFileName() + ".wal"))) {
                throw new LifeboatException(ErrorCode.USAGE, "tablespace directory " + a + " overlaps the data directory " + data + " or its staged WAL",
                        "Give each tablespace a directory of its own outside the data directory.");
            }
            for (int j = i + 1; j < all.size(); j++) {
                Path b = all.get(j).getValue();
                if (a.startsWith(b) || b.startsWith(a)) {
                    throw new LifeboatException(ErrorCode.USAGE, "tablespaces " + all.get(i).getKey() + " and " + all.get(j).getKey()
                            + " would share " + (a.startsWith(b) ? b : a), "Give each tablespace a directory of its own.");
                }
            }
        }
    }

    private static void refuseNonEmpty(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new LifeboatException(ErrorCode.TARGET_NOT_EMPTY, dir + " exists and is not a directory", null);
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            if (s.iterator().hasNext()) {
                throw new LifeboatException(ErrorCode.TARGET_NOT_EMPTY, "tablespace directory " + dir + " is not empty",
                        "Recovery never overwrites data: map the tablespace to a new or empty directory with --tablespace-map NAME=DIR.");
            }
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot read " + dir + ": " + e.getMessage(), null, e);
        }
    }

    /** Tree subtrees to restore outside the data directory: {@code pg_tblspc/OID} to its mapped directory. */
    public Map<String, Path> subtrees() {
        Map<String, Path> out = new LinkedHashMap<>();
        placed.forEach((oid, dir) -> out.put("pg_tblspc/" + oid, dir));
        return out;
    }

    public boolean isEmpty() {
        return tablespaces.isEmpty();
    }

    /** Changes the owner of {@code p} itself, never of what a link points at. */
    private static void chown(Path p, UserPrincipal owner) throws IOException {
        Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setOwner(owner);
    }

    /** Where each tablespace goes, one line each, for plans and reports. */
    public List<String> describe(Path dataDir) {
        List<String> out = new ArrayList<>();
        for (Tablespace t : tablespaces) {
            Path dir = placed.get(t.oid());
            out.add(t + (dir != null ? " -> " + dir + " (linked from " + t.link() + "; --tablespace-map " + t.name() + "=DIR puts it elsewhere)"
                    : " -> in place at " + dataDir.resolve(t.link()) + ", as in the original (allow_in_place_tablespaces = on)"));
        }
        return out;
    }

    /**
     * After the restore: links {@code pg_tblspc/OID} to each mapped directory (owned, like the directory, by the
     * data directory's owner) and removes {@code tablespace_map}.
     */
    public void finish(Path dataDir) {
        try {
            UserPrincipal owner = Files.getOwner(dataDir, LinkOption.NOFOLLOW_LINKS);
            for (Map.Entry<String, Path> e : placed.entrySet()) {
                Path dir = e.getValue();
                Path link = dataDir.resolve("pg_tblspc").resolve(e.getKey());
                if (Files.isSymbolicLink(dir)) { // the restore never makes one there; somebody else did
                    throw new LifeboatException(ErrorCode.TARGET_NOT_EMPTY, "tablespace directory " + dir + " is a link", null);
                }
                Files.createDirectories(dir);
                chown(dir, owner);
                // The default places' parent, made by this restore under whatever umask: the server's, like the data directory.
                Path data = dataDir.toAbsolutePath().normalize();
                Path shared = data.resolveSibling(data.getFileName() + ".tablespaces");
                if (shared.equals(dir.getParent())) {
                    chown(shared, owner);
                    Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                }
                Files.createDirectories(link.getParent());
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, dir);
                chown(link, owner);
            }
            Files.deleteIfExists(dataDir.resolve("tablespace_map"));
            if (tablespaces.stream().anyMatch(t -> !placed.containsKey(t.oid()))) {
                // PostgreSQL 15 refuses a directory in pg_tblspc at the end of recovery unless this is on.
                Files.writeString(dataDir.resolve("postgresql.auto.conf"), "\n# lifeboat: the backup has in-place tablespaces\n"
                        + "allow_in_place_tablespaces = on\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                dev.lifeboat.repository.store.DurableFile.syncFile(dataDir.resolve("postgresql.auto.conf"));
            }
            // The links and the settings are the copy's too: durable before the restore says it is done.
            if (Files.isDirectory(dataDir.resolve("pg_tblspc"))) {
                dev.lifeboat.repository.store.DurableFile.syncDirectory(dataDir.resolve("pg_tblspc"));
            }
            dev.lifeboat.repository.store.DurableFile.syncDirectory(dataDir);
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot place the tablespaces of " + dataDir + ": " + e.getMessage(),
                    "Check the permissions of the tablespace directories.", e);
        }
    }
}
