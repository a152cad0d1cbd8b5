package dev.lifeboat.repository.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Who restored files belong to. Only root can give files away: as root, each file gets the owner recorded with it,
 * or one owner for all ({@link #all}) when restoring onto another host, where the same user (a database server's)
 * often has another uid; as anyone else, files belong to whoever runs the restore.
 *
 * @param asRoot whether this process may set owners
 * @param uid    the owner for every file, or null for each file's recorded one
 * @param gid    the group for every file, or null for each file's recorded one
 */
public record Ownership(boolean asRoot, Integer uid, Integer gid) {
    /** Each file's recorded owner (when root). */
    public static Ownership recorded() {
        return new Ownership(runningAsRoot(), null, null);
    }

    /** One owner and group for every restored file (when root). */
    public static Ownership all(int uid, int gid) {
        return new Ownership(runningAsRoot(), uid, gid);
    }

    public static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Gives {@code p} (not following a link) its owner, as above. */
    void apply(TreeEntry e, Path p) throws IOException {
        Integer u = uid != null ? uid : e.uid();
        Integer g = gid != null ? gid : e.gid();
        if (asRoot && u != null) {
            Files.setAttribute(p, "unix:uid", u, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", g, LinkOption.NOFOLLOW_LINKS);
        }
    }
}
