package dev.lifeboat.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * A file holding a secret (a passphrase, a key file, a password the plan names): read as is, but one that others may
 * read is said, as ssh says of a private key. Not refused: a warning names the fix, and existing setups keep working.
 */
public final class SecretFile {
    private SecretFile() {
    }

    /**
     * A sentence for a warning when group or others may read {@code file} (its mode, and the chmod that fixes it);
     * empty when only its owner may, or the filesystem has no POSIX modes.
     */
    public static Optional<String> looseMode(Path file, String what) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            boolean others = p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)
                    || p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE);
            return others ? Optional.of("the " + what + " " + file + " may be read by others (" + PosixFilePermissions.toString(p)
                    + "): chmod 600 " + file) : Optional.empty();
        } catch (UnsupportedOperationException | IOException e) {
            return Optional.empty();
        }
    }
}
