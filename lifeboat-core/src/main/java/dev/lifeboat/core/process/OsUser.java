package dev.lifeboat.core.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs server commands as the right operating-system user. PostgreSQL refuses to run as root, so when this JVM is
 * root its commands run as user {@code postgres} through {@code runuser} (or {@code setpriv} where runuser is
 * missing), and the directories it writes are handed to that user.
 */
public final class OsUser {
    public static final String POSTGRES = "postgres";

    private OsUser() {
    }

    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException e) {
            // Not Linux: fall back to the user name.
        }
        return "root".equals(System.getProperty("user.name"));
    }

    /** {@code command} prefixed so that it runs as {@code user} when this JVM is root; unchanged otherwise. */
    public static List<String> as(String user, List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> out = new ArrayList<>();
        if (Binaries.onPath("runuser").isPresent()) {
            out.addAll(List.of("runuser", "-u", user, "--"));
        } else if (Binaries.onPath("setpriv").isPresent()) {
            out.addAll(List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups", "--"));
        } else {
            throw new IllegalStateException("running as root, but neither runuser nor setpriv is available to drop to user " + user);
        }
        out.addAll(command);
        return out;
    }

    /** Creates {@code dir} (mode 700) owned by {@code user} when root, so a server running as that user can use it. */
    public static Path ownedDirectory(Path dir, String user) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            if (isRoot()) {
                UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(dir, lookup.lookupPrincipalByName(user));
                GroupPrincipal group = lookup.lookupPrincipalByGroupName(user);
                Files.getFileAttributeView(dir, PosixFileAttributeView.class).setGroup(group);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir + " for user " + user
                    + (isRoot() ? " (does the user exist? on Debian it comes with the postgresql package)" : ""), e);
        }
    }
}
