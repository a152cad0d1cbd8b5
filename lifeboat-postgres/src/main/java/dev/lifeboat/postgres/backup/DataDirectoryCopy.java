package dev.lifeboat.postgres.backup;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.chunk.Chunker;
import dev.lifeboat.repository.files.DirectoryBackup;
import dev.lifeboat.repository.files.TreeWriter;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Copies a running cluster's data directory into a snapshot's tree, following links so that a restore never
 * writes through one into the original cluster's directories:
 * <ul>
 *   <li>each link {@code pg_tblspc/OID} is stored as a directory holding the tablespace's directory for this server
 *       version ({@code PG_15_202209061}); an in-place tablespace (a directory there) is copied as it is;</li>
 *   <li>any other link is stored as what it points at: a directory with its content (a linked {@code pg_wal} as an
 *       empty directory, as its content never is), a file with its content, as pgBackRest restores links by
 *       default; a link into the data directory itself stays a link, made relative;</li>
 *   <li>a link to a directory that holds the data directory, or one that leads back into a directory being
 *       followed, fails the backup rather than walking the disk.</li>
 * </ul>
 * Relation files are read through the page checksum verifier wherever they are; those recovery resets (unlogged
 * relations but for their init forks, temporary relations) are not copied.
 */
final class DataDirectoryCopy {
    private final Path dataDir;
    private final String versionDir;
    private final TreeWriter tree;
    private final Chunker chunker;
    private final Optional<ChecksumVerifier> verifier;
    /** Tablespaces stored, by OID: where they were (empty for in-place ones). */
    private final Map<String, String> tablespaces = new LinkedHashMap<>();
    /** Real paths of the linked directories being followed, to refuse cycles. */
    private final Deque<Path> following = new ArrayDeque<>();

    DataDirectoryCopy(Path dataDir, String versionDir, TreeWriter tree, Chunker chunker, Optional<ChecksumVerifier> verifier) {
        this.dataDir = dataDir;
        this.versionDir = versionDir;
        this.tree = tree;
        this.chunker = chunker;
        this.verifier = verifier;
    }

    /** Copies; returns the tablespaces stored, OID to original location ("" in place). */
    Map<String, String> run() throws IOException {
        copyTree(dataDir, "", true);
        // Last, as pg_basebackup sends it: a standby writes no end-of-backup record, so recovery of a standby's backup
        // takes the copied pg_control's minRecoveryPoint as the point of consistency, which must not precede any page
        // copied (PostgreSQL's do_pg_backup_stop: "We assume that pg_control was backed up last").
        Path control = dataDir.resolve(CONTROL);
        if (Files.isRegularFile(control, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            copyFile(CONTROL, control);
        }
        return tablespaces;
    }

    /** The control file, copied after everything else. */
    static final String CONTROL = "global/pg_control";

    private void copyTree(Path root, String prefix, boolean top) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            private String rel(Path p) {
                return DirectoryBackup.relative(root, prefix, p);
            }

            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                String rel = rel(dir);
                if (!rel.isEmpty() && !DataDirectory.copied(rel)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (top && rel.matches("pg_tblspc/[0-9]+")) {
                    tablespaces.put(rel.substring("pg_tblspc/".length()), ""); // in place
                }
                try {
                    tree.directory(rel, dir);
                } catch (java.nio.file.NoSuchFileException gone) {
                    return FileVisitResult.SKIP_SUBTREE; // a database dropped meanwhile: WAL replay drops it too
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String rel = rel(file);
                if (!DataDirectory.copied(rel)) {
                    return FileVisitResult.CONTINUE;
                }
                if (top && rel.equals(CONTROL)) {
                    return FileVisitResult.CONTINUE; // copied last (run)
                }
                try {
                    if (attrs.isSymbolicLink()) {
                        link(rel, file, top);
                    } else if (attrs.isRegularFile() && !resetAtRecovery(rel, file)) {
                        copyFile(rel, file);
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // A relation dropped, truncated away or rewritten (DROP, TRUNCATE, VACUUM FULL) while it was read:
                    // normal in a running cluster, and WAL replay from the backup's start removes it too, as in
                    // pg_basebackup. Its chunks stored so far are left for prune.
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                // Relations dropped or temp files removed while we walk are normal in a running cluster.
                if (e instanceof java.nio.file.NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
    }

    /**
     * Relation files recovery empties anyway, which pg_basebackup and pgBackRest skip too: every fork but the init
     * fork of an unlogged relation (recovery copies the init fork over it), and temporary relations
     * ({@code tBACKEND_FILENODE}), which belong to sessions that are gone in a restored cluster.
     */
    static boolean resetAtRecovery(String rel, Path file) {
        boolean inRelationDir = rel.startsWith("base/") || rel.startsWith("pg_tblspc/");
        if (!inRelationDir) {
            return false;
        }
        String name = file.getFileName().toString();
        if (name.matches("t[0-9]+_[0-9]+(_fsm|_vm|_init)?(\\.[0-9]+)?")) {
            return true;
        }
        if (!name.matches("[0-9]+(_fsm|_vm)?(\\.[0-9]+)?")) {
            return false; // the init fork itself, or not a relation file
        }
        String node = name.split("[_.]", 2)[0];
        return Files.exists(file.resolveSibling(node + "_init"));
    }

    private void copyFile(String rel, Path file) throws IOException {
        if (verifier.isPresent() && PageChecksum.isRelationFile(rel)) {
            tree.file(rel, file, chunker, in -> verifier.get().wrap(rel, file, in));
        } else {
            tree.file(rel, file, chunker);
        }
    }

    private void link(String rel, Path link, boolean top) throws IOException {
        boolean tablespace = top && rel.matches("pg_tblspc/[0-9]+");
        Path resolved;
        try {
            resolved = link.toRealPath();
        } catch (java.nio.file.NoSuchFileException e) {
            if (tablespace) {
                throw refuse(rel, "points at " + Files.readSymbolicLink(link) + ", which does not exist: the tablespace's contents cannot be copied",
                        "Mount the tablespace's storage, or drop the tablespace, and back up again.");
            }
            tree.symlink(rel, link); // dangling in the original too: kept as it is
            return;
        }
        if (tablespace) {
            Path version = resolved.resolve(versionDir);
            if (!Files.isDirectory(version)) {
                throw refuse(rel, "points at " + resolved + ", which has no " + versionDir + " directory", "Check that the tablespace's storage "
                        + "is the one this cluster uses, and back up again.");
            }
            tree.directory(rel, resolved);
            follow(resolved, version, rel + "/" + versionDir);
            tablespaces.put(rel.substring("pg_tblspc/".length()), resolved.toString());
            return;
        }
        if (dataDir.startsWith(resolved)) {
            throw refuse(rel, "points at " + resolved + ", which holds the data directory", "Remove the link; Lifeboat does not follow it.");
        }
        if (resolved.startsWith(dataDir)) {
            tree.symlink(rel, link, link.getParent().toRealPath().relativize(resolved).toString()); // stays inside the copy
            return;
        }
        if (Files.isDirectory(resolved)) {
            if (DataDirectory.EMPTIED.contains(rel)) {
                tree.directory(rel, resolved);
            } else {
                follow(resolved, resolved, rel);
            }
        } else if (Files.isRegularFile(resolved)) {
            copyFile(rel, resolved);
        } else {
            tree.symlink(rel, link); // a socket or device: nothing to copy
        }
    }

    private void follow(Path linked, Path root, String prefix) throws IOException {
        for (Path p : following) {
            if (p.startsWith(linked) || linked.startsWith(p)) {
                throw refuse(prefix, "leads back into " + p + ", which is already being copied", "Remove the link cycle.");
            }
        }
        following.push(linked);
        try {
            copyTree(root, prefix, false);
        } finally {
            following.pop();
        }
    }

    private LifeboatException refuse(String rel, String what, String hint) {
        return new LifeboatException(ErrorCode.USAGE, "the link " + rel + " in the data directory " + what, hint);
    }
}
