package dev.lifeboat.postgres.recovery;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.process.Binaries;
import dev.lifeboat.repository.Snapshot;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The PostgreSQL server binaries a recovery of a backup runs: the plan's {@code bin-dir} if given, else those of the
 * backup's major version ({@code /usr/lib/postgresql/MAJOR/bin} first). Checked before anything is restored: a
 * server of another major version refuses the data directory only after the whole backup has been fetched.
 */
public final class ServerBinaries {
    private ServerBinaries() {
    }

    /** The backup's major version (15 for server_version_num 150018). */
    public static int major(Snapshot backup) {
        String v = backup.manifest().labels().get("server_version_num");
        if (v == null || !v.matches("[0-9]{5,7}")) {
            throw LifeboatException.of(ErrorCode.OBJECT_CORRUPT, "backup " + backup.shortId() + " does not say which PostgreSQL version it is of "
                    + "(server_version_num: " + v + ")");
        }
        return Integer.parseInt(v) / 10000;
    }

    /**
     * Finds and checks the binaries.
     *
     * @throws LifeboatException {@code binary-not-found} when none are found, or the ones found are another version
     */
    public static Path forBackup(Optional<Path> configured, Snapshot backup) {
        int major = major(backup);
        Path bin = configured.orElseGet(() -> Binaries.postgresBin(major));
        int found = Binaries.serverMajor(bin);
        if (found != major) {
            throw new LifeboatException(ErrorCode.BINARY_NOT_FOUND, "backup " + backup.shortId() + " is of PostgreSQL " + major + ", and the server "
                    + "binaries in " + bin + " are PostgreSQL " + found + ", which cannot start its data directory",
                    "Install PostgreSQL " + major + " (on Debian: apt-get install -y postgresql-" + major + ") or point the plan's bin-dir "
                            + "(or LIFEBOAT_PG_BIN) at its binaries.");
        }
        return bin;
    }
}
