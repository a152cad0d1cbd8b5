package dev.lifeboat.postgres.recovery;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.process.Binaries;
import dev.lifeboat.core.process.ExternalCommand;
import dev.lifeboat.core.process.OsUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Starts and stops a PostgreSQL data directory on this host with {@code pg_ctl}, as the directory's owner (through
 * runuser/setpriv when Lifeboat runs as root: PostgreSQL refuses to run as root). The server's log is
 * {@code <data>/lifeboat-start.log}.
 */
public final class PostgresControl {
    private final Path dataDir;
    private final Path bin;
    private final String owner;

    private PostgresControl(Path dataDir, Path bin, String owner) {
        this.dataDir = dataDir;
        this.bin = bin;
        this.owner = owner;
    }

    /** Control of {@code dataDir}, with server binaries from {@code binDir} or found as the test harness finds them. */
    public static PostgresControl of(Path dataDir, Optional<Path> binDir) {
        try {
            String owner = Files.getOwner(dataDir, LinkOption.NOFOLLOW_LINKS).getName();
            return new PostgresControl(dataDir, binDir.orElseGet(Binaries::postgresBin), owner);
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot read " + dataDir + ": " + e.getMessage(), null, e);
        }
    }

    public Path log() {
        return dataDir.resolve("lifeboat-start.log");
    }

    /** Whether a live postmaster holds this directory. */
    public boolean running() {
        return running(dataDir);
    }

    /** Whether a live postmaster holds {@code dataDir} (needs no server binaries). */
    public static boolean running(Path dataDir) {
        Path pid = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pid)) {
            return false;
        }
        try {
            long p = Long.parseLong(Files.readAllLines(pid).get(0).trim());
            return ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Starts the server and waits until it accepts connections (recovery may continue after that).
     *
     * @throws LifeboatException {@code process-failed} with the tail of the server's log
     */
    public void start(Duration limit) {
        Path pgCtlLog = pgCtlLog();
        try {
            ExternalCommand.run(OsUser.as(owner, List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-l", log().toString(),
                    "-w", "-t", Long.toString(limit.toSeconds()), "start")), pgCtlLog, limit.plusSeconds(10));
        } catch (LifeboatException e) {
            // The server's log says why it stopped; when it is empty, the server never ran and pg_ctl's output says why.
            String serverLog = ExternalCommand.tail(log());
            String why = serverLog.isEmpty() ? "pg_ctl said:" + ExternalCommand.tail(pgCtlLog) : "see " + log() + serverLog;
            throw new LifeboatException(ErrorCode.PROCESS_FAILED, ErrorCode.PROCESS_FAILED.format("PostgreSQL start on " + dataDir, why),
                    "The lines above say why. When Lifeboat runs as root, the server runs as the data directory's owner (" + owner
                            + "), who must be able to reach the directory and its parents.", e);
        }
    }

    private Path pgCtlLog() {
        return dataDir.getParent().resolve(dataDir.getFileName() + "-pg_ctl.log");
    }

    /** Stops the server with a fast shutdown. */
    public void stop(Duration limit) {
        ExternalCommand.run(OsUser.as(owner, List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "fast", "-w",
                "-t", Long.toString(limit.toSeconds()), "stop")), pgCtlLog(), limit.plusSeconds(10));
    }
}
