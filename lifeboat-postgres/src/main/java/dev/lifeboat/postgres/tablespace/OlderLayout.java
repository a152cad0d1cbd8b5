package dev.lifeboat.postgres.tablespace;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.files.TreeEntry;
import dev.lifeboat.repository.files.TreeReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Backups taken before Lifeboat stored what the data directory's links point at (they have no {@code data_layout}
 * label) hold the links themselves: {@code pg_tblspc/OID} pointing at the original tablespace, whose contents they
 * lack, and a linked {@code pg_wal} pointing at the original's WAL directory. Restored as they are, the copy would
 * replay into and write WAL into the live cluster's directories.
 */
public final class OlderLayout {
    /** The manifest label of backups that store links as what they point at. */
    public static final String LABEL = "data_layout";

    private OlderLayout() {
    }

    /**
     * Refuses an older backup that holds tablespace links (reading its listing; newer backups cost nothing).
     *
     * @throws LifeboatException {@code unsupported-format}
     */
    public static void check(Repository repo, Snapshot backup) {
        if (backup.manifest().labels().containsKey(LABEL)) {
            return;
        }
        List<String> links = new ArrayList<>();
        TreeReader.forEach(repo, backup, e -> {
            if (TreeEntry.SYMLINK.equals(e.type()) && e.path().matches("pg_tblspc/[0-9]+")) {
                links.add(e.path() + " -> " + e.target());
            }
        });
        if (!links.isEmpty()) {
            throw new LifeboatException(ErrorCode.UNSUPPORTED_FORMAT, "backup " + backup.shortId() + " holds only the links of its tablespaces ("
                    + String.join(", ", links) + "), not their contents: restored, the copy would use the original's tablespace directories",
                    "Take a new backup: Lifeboat now stores tablespaces' contents. To use this one anyway, restore it with 'restore dir' "
                            + "and put copies of the tablespaces in place yourself.");
        }
    }

    /** After a restore: a {@code pg_wal} restored as a link (older backups) becomes an empty directory of the copy's own. */
    public static void repair(Path dataDir) {
        Path wal = dataDir.resolve("pg_wal");
        if (!Files.isSymbolicLink(wal)) {
            return;
        }
        try {
            var owner = Files.getOwner(dataDir, LinkOption.NOFOLLOW_LINKS);
            Files.delete(wal);
            Files.createDirectory(wal, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            Files.setOwner(wal, owner);
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot replace the linked pg_wal in " + dataDir + ": " + e.getMessage(), null, e);
        }
    }
}
