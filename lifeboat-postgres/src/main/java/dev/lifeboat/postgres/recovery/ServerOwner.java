package dev.lifeboat.postgres.recovery;

import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.files.Ownership;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Who a restored PostgreSQL data directory belongs to when root restores it. The backup records numeric owners, and
 * the server's user often has another uid on the host a disaster sends the backup to (Debian allocates it at
 * install time), where the recorded uid is nobody, or somebody else. In order: the owner of a {@code --to} directory
 * someone prepared (not root); else the local user of the name that owned the data directory on the source host
 * ({@code postgres} for backups that did not record it); else each file's recorded owner. Every file of the copy,
 * tablespaces included, gets the one chosen, so the server (run as the directory's owner) can read them all.
 */
public final class ServerOwner {
    /** The backup label naming the data directory's owner on the source host. */
    public static final String LABEL = "data_dir_owner";

    /** The ownership chosen, and why, in one sentence. */
    public record Choice(Ownership ownership, String why) {
    }

    private ServerOwner() {
    }

    public static Choice choose(Path target, Snapshot backup) {
        if (!Ownership.runningAsRoot()) {
            return new Choice(Ownership.recorded(), "the files belong to " + System.getProperty("user.name") + ", who runs the restore");
        }
        try {
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                int uid = (Integer) Files.getAttribute(target, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                int gid = (Integer) Files.getAttribute(target, "unix:gid", LinkOption.NOFOLLOW_LINKS);
                if (uid != 0) {
                    return new Choice(Ownership.all(uid, gid), "the files belong to " + Files.getOwner(target).getName() + ", who owns " + target);
                }
            }
        } catch (IOException e) {
            // unreadable: decided by name below
        }
        String name = backup.manifest().labels().getOrDefault(LABEL, "postgres");
        Optional<int[]> local = lookup(name);
        if (local.isPresent()) {
            return new Choice(Ownership.all(local.get()[0], local.get()[1]), "the files belong to " + name + " (uid " + local.get()[0]
                    + " here), who owned the data directory where the backup was taken");
        }
        return new Choice(Ownership.recorded(), "there is no user " + name + " here (who owned the data directory where the backup was "
                + "taken), so the files keep the uids recorded there; create the user, or pre-create --to owned by the server's user");
    }

    /** uid and primary gid of a local user ({@code getent passwd}, so directory services count), if there is one. */
    static Optional<int[]> lookup(String user) {
        try {
            Process p = new ProcessBuilder("getent", "passwd", user).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return Optional.empty();
            }
            String[] f = out.split(":");
            return f.length >= 4 ? Optional.of(new int[] {Integer.parseInt(f[2]), Integer.parseInt(f[3])}) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
