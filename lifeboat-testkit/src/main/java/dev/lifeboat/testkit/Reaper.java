package dev.lifeboat.testkit;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Makes sure every server a harness starts is stopped, by PID, even when a test fails or the JVM is interrupted.
 *
 * <p>Each JVM works in its own run directory under {@code $TMPDIR/lifeboat-harness/}, holding an {@code owner} file
 * with the JVM's PID and a file per server PID. A shutdown hook kills what is still running. A JVM that died
 * without running hooks (kill -9) is cleaned up by the next harness: a server is only killed when its working
 * directory lies inside the dead run's directory, so nothing else on the machine is ever touched.
 */
public final class Reaper {
    private static final Path ROOT = Path.of(System.getProperty("java.io.tmpdir"), "lifeboat-harness");
    private static Path runDirectory;

    private Reaper() {
    }

    /** This JVM's run directory (mode 755 so a server user can reach its own subdirectory). */
    public static synchronized Path runDirectory() {
        if (runDirectory == null) {
            try {
                Files.createDirectories(ROOT);
                ROOT.toFile().setExecutable(true, false);
                ROOT.toFile().setReadable(true, false);
                sweepOrphans();
                long pid = ProcessHandle.current().pid();
                Path dir = Files.createTempDirectory(ROOT, "run-" + pid + "-");
                dir.toFile().setExecutable(true, false);
                dir.toFile().setReadable(true, false);
                Files.writeString(dir.resolve("owner"), Long.toString(pid));
                Files.createDirectories(dir.resolve("pids"));
                Runtime.getRuntime().addShutdownHook(new Thread(() -> killAll(dir), "lifeboat-harness-reaper"));
                runDirectory = dir;
            } catch (IOException e) {
                throw new IllegalStateException("cannot create the harness directory under " + ROOT, e);
            }
        }
        return runDirectory;
    }

    /** Records a server's PID so that it is stopped with this JVM at the latest. */
    static void track(long pid) {
        try {
            Files.writeString(runDirectory().resolve("pids").resolve(Long.toString(pid)), "");
        } catch (IOException e) {
            throw new IllegalStateException("cannot record server pid " + pid, e);
        }
    }

    /**
     * Forgets every server started so far, so they keep running after this JVM exits (a demo run with --keep), and
     * keeps the run directory that holds their data; returns their PIDs, for the user to stop (then remove
     * {@link #keptDirectory()}).
     */
    public static synchronized List<Long> releaseAll() {
        List<Long> released = new ArrayList<>();
        if (runDirectory == null) {
            return released;
        }
        try {
            Files.writeString(runDirectory.resolve(KEPT), "");
        } catch (IOException e) {
            throw new IllegalStateException("cannot mark " + runDirectory + " as kept", e);
        }
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(runDirectory.resolve("pids"))) {
            for (Path p : pids) {
                released.add(Long.parseLong(p.getFileName().toString()));
                Files.deleteIfExists(p);
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot release the servers of " + runDirectory, e);
        }
        return released;
    }

    /** Forgets a server that has been stopped. */
    static void untrack(long pid) {
        try {
            Files.deleteIfExists(runDirectory().resolve("pids").resolve(Long.toString(pid)));
        } catch (IOException e) {
            // The shutdown hook will find the pid dead and skip it.
        }
    }

    /** Kills a server this harness started (with its descendants) and stops tracking it. */
    static void stop(long pid) {
        kill(pid);
        untrack(pid);
    }

    /** Kills a process and all its descendants, and waits until they are gone. */
    static void kill(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) {
            return;
        }
        // Frozen first, then the parent killed first: a postmaster that sees a child die reinitializes and forks new
        // children, which a list taken before would miss (they then hold its shared memory, and the next start fails).
        freeze(pid);
        List<ProcessHandle> all = new ArrayList<>();
        all.add(handle.get());
        all.addAll(handle.get().descendants().toList());
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // Reported by callers that check isAlive().
            }
        }
    }

    /** SIGSTOP: a stopped process forks nothing more; SIGKILL still ends it. */
    private static void freeze(long pid) {
        try {
            new ProcessBuilder("kill", "-STOP", Long.toString(pid)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the kill below still happens
        }
    }

    private static void killAll(Path dir) {
        for (long pid : trackedPids(dir)) {
            if (runsInside(pid, dir)) {
                kill(pid);
            }
        }
        // A kept run's servers run on with their data in it: it is the user's to remove.
        if (!Boolean.parseBoolean(System.getenv().getOrDefault("LIFEBOAT_KEEP_HARNESS", "false")) && !Files.exists(dir.resolve(KEPT))) {
            deleteTree(dir);
        }
    }

    /** Marks a run whose servers were released to keep running. */
    private static final String KEPT = "kept";

    /** The run directory that {@link #releaseAll} kept, if any. */
    public static synchronized java.util.Optional<Path> keptDirectory() {
        return java.util.Optional.ofNullable(runDirectory).filter(d -> Files.exists(d.resolve(KEPT)));
    }

    /** Stops the servers of runs whose JVM has died. Called when a JVM first uses the harness. */
    static void sweepOrphans() {
        try (DirectoryStream<Path> runs = Files.newDirectoryStream(ROOT, "run-*")) {
            for (Path run : runs) {
                long owner;
                try {
                    owner = Long.parseLong(Files.readString(run.resolve("owner")).trim());
                } catch (IOException | NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                killAll(run);
            }
        } catch (IOException e) {
            // Nothing to sweep.
        }
    }

    private static List<Long> trackedPids(Path dir) {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(dir.resolve("pids"))) {
            for (Path p : pids) {
                try {
                    out.add(Long.parseLong(p.getFileName().toString()));
                } catch (NumberFormatException e) {
                    // not ours
                }
            }
        } catch (IOException e) {
            // no pids recorded
        }
        return out;
    }

    /** True when the process's working directory is inside {@code dir}: it is one of ours, not a reused PID. */
    static boolean runsInside(long pid, Path dir) {
        try {
            Path cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"));
            return cwd.startsWith(dir.toRealPath());
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    static void deleteTree(Path dir) {
        dev.lifeboat.core.io.Trees.deleteQuietly(dir);
    }
}
