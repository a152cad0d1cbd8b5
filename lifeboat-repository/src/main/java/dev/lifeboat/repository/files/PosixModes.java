package dev.lifeboat.repository.files;

import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** Converts between POSIX permission sets and mode bits (0755 …). */
final class PosixModes {
    private static final PosixFilePermission[] ORDER = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};

    private PosixModes() {
    }

    static int toMode(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (int i = 0; i < ORDER.length; i++) {
            if (perms.contains(ORDER[i])) {
                mode |= 1 << i;
            }
        }
        return mode;
    }

    static Set<PosixFilePermission> toPermissions(int mode) {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < ORDER.length; i++) {
            if ((mode & (1 << i)) != 0) {
                perms.add(ORDER[i]);
            }
        }
        return perms;
    }
}
