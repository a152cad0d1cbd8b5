package dev.lifeboat.postgres.backup;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Proof that the server a backup talks to is the one running from the data directory it copies. The paths alone
 * do not prove it: a standby and its primary on two hosts both use /var/lib/postgresql/15/main, and a backup run on
 * the standby's host but connected to the primary would store the primary's backup label and start position with
 * the standby's files, which replay cannot make consistent. The data directory's {@code postmaster.pid} names the
 * postmaster's start time and port; the connected server must report the same.
 */
final class LocalServer {
    private LocalServer() {
    }

    /**
     * @param serverStartEpoch {@code pg_postmaster_start_time()} of the connected server, in whole seconds
     * @param serverPort       its {@code port} setting
     * @throws LifeboatException {@code usage} when the directory's running server is another one, or none
     */
    static void check(Path dataDir, long serverStartEpoch, int serverPort) {
        List<String> lines;
        try {
            lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "no server runs from " + dataDir + " (its postmaster.pid cannot be read: " + e.getMessage()
                    + "), so the server connected to is not the one whose files would be copied", HINT);
        }
        if (lines.size() < 4) {
            throw new LifeboatException(ErrorCode.USAGE, dataDir + "/postmaster.pid is incomplete (a server starting or stopping)", HINT);
        }
        long start = Long.parseLong(lines.get(2).trim());
        int port = Integer.parseInt(lines.get(3).trim());
        // postmaster.pid is written early in start-up, pg_postmaster_start_time() at its end (after loading libraries,
        // time zones, shared memory), seconds later on a large host: the server's time may follow, never precede.
        long lateBy = serverStartEpoch - start;
        if (lateBy < -1 || lateBy > START_UP_SECONDS || port != serverPort) {
            throw new LifeboatException(ErrorCode.USAGE, "the server connected to (port " + serverPort + ", started at epoch " + serverStartEpoch
                    + ") is not the one running from " + dataDir + " (port " + port + ", started at epoch " + start + ")", HINT);
        }
    }

    /** The longest a postmaster's start-up takes between writing postmaster.pid and recording its start time. */
    static final long START_UP_SECONDS = 600;

    private static final String HINT = "Connect to the server whose data directory this host holds (--host/--port, or the plan's "
            + "primary from the primary's host): a backup copies the files on this host.";
}
