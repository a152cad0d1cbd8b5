package dev.lifeboat.postgres.check;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.postgres.recovery.PostgresControl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The scratch directory a full verification restores into. Each one holds an {@code owner} file naming the process
 * that made it (pid and start time), so that a verification killed before it could clean up (the agent got SIGKILL,
 * the host rebooted) does not leave a running scratch PostgreSQL and a full copy of the database behind for good:
 * the next verification stops and deletes every scratch directory whose owner is gone.
 */
public final class ScratchDirectory {
    static final String PREFIX = "lifeboat-verify-";
    static final String OWNER = "owner";
    /** A directory with no owner file is taken as abandoned only when older than this (its owner may be writing it). */
    static final Duration UNOWNED_GRACE = Duration.ofHours(1);

    private ScratchDirectory() {
    }

    /** Creates a scratch directory under {@code parent}, readable by the PostgreSQL user, owned by this process. */
    public static Path create(Path parent) {
        try {
            Path dir = Files.createTempDirectory(parent, PREFIX);
            dir.toFile().setExecutable(true, false);
            dir.toFile().setReadable(true, false);
            Files.writeString(dir.resolve(OWNER), owner(ProcessHandle.current()), StandardCharsets.US_ASCII);
            return dir;
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot create a scratch directory in " + parent + ": " + e.getMessage(),
                    "Check free space and permissions there, or point java.io.tmpdir elsewhere (LIFEBOAT_JAVA_OPTS=-Djava.io.tmpdir=DIR).", e);
        }
    }

    /**
     * Stops and deletes the scratch directories under {@code parent} that no living process owns; returns one
     * sentence per directory removed, for the report.
     */
    public static List<String> sweep(Path parent, Optional<Path> binDir) {
        List<String> removed = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, PREFIX + "*")) {
            for (Path dir : dirs) {
                Optional<String> why = abandoned(dir);
                if (why.isPresent() && Files.isDirectory(dir)) {
                    Path data = dir.resolve("data");
                    boolean wasRunning = false;
                    if (Files.exists(data.resolve("postmaster.pid"))) {
                        PostgresControl control = PostgresControl.of(data, binDir);
                        wasRunning = control.running();
                        if (wasRunning) {
                            control.stop(Duration.ofSeconds(60));
                        }
                    }
                    dev.lifeboat.core.io.Trees.deleteQuietly(dir);
                    removed.add("removed the scratch directory " + dir + " of an interrupted verification (" + why.get() + ")"
                            + (wasRunning ? " after stopping the PostgreSQL still running in it" : ""));
                }
            }
        } catch (IOException e) {
            // an unreadable temporary directory only means nothing is swept this time
        }
        return removed;
    }

    /** Why {@code dir} counts as abandoned, or empty while its owner may still be using it. */
    static Optional<String> abandoned(Path dir) throws IOException {
        Path ownerFile = dir.resolve(OWNER);
        if (!Files.exists(ownerFile)) {
            Instant modified = Files.getLastModifiedTime(dir).toInstant();
            return modified.isBefore(Instant.now().minus(UNOWNED_GRACE)) ? Optional.of("no owner, last changed " + modified) : Optional.empty();
        }
        String recorded = Files.readString(ownerFile, StandardCharsets.US_ASCII).trim();
        String[] parts = recorded.split(" ", 2);
        long pid;
        try {
            pid = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            return Optional.of("unreadable owner file");
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isPresent() && handle.get().isAlive() && owner(handle.get()).equals(recorded)) {
            return Optional.empty();
        }
        return Optional.of("its process " + pid + " is gone");
    }

    /** "pid start-time": the start time tells a reused pid from the owner. */
    static String owner(ProcessHandle p) {
        return p.pid() + " " + p.info().startInstant().map(Instant::toString).orElse("?");
    }
}
