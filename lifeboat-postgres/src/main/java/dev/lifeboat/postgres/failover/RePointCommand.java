package dev.lifeboat.postgres.failover;

import dev.lifeboat.core.plan.Endpoint;
import dev.lifeboat.core.plan.RePoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a cluster's re-point command after a promotion: the step that makes the application follow the new primary
 * (Patroni calls these callbacks). The command runs without a shell, in a clean environment: {@link #INHERITED}
 * from Lifeboat's, never its secrets (passphrase, passwords), plus the new and old primaries' addresses; exit status
 * 0 within the time limit means re-pointed. On overrun it is killed with everything it
 * started, found by pid: its descendants, its process group, and every process that still carries this run's
 * {@link #RUN_MARKER} in the environment it was started with (a daemon that left the session does). Its output (stdout and stderr together, last lines kept) goes into the report, so the operator sees why
 * it failed without hunting for a log.
 */
public final class RePointCommand {
    private static final int TAIL_LINES = 20;
    private static final int MAX_LINE = 500;
    /** The only variables the command inherits from Lifeboat's environment. */
    public static final List<String> INHERITED = List.of("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR");
    /**
     * A variable set to a new random value for each run: every process the command starts inherits it, even one that
     * calls setsid and leaves the command's session and process group, so an overrun finds them all in /proc.
     */
    public static final String RUN_MARKER = "LIFEBOAT_RE_POINT_RUN";

    /** What the command did. {@code exitStatus} is -1 when it was killed for overrunning or could not start. */
    public record Outcome(List<String> command, int exitStatus, boolean timedOut, long millis, String output) {
        public boolean succeeded() {
            return !timedOut && exitStatus == 0;
        }

        /** One sentence for the report: what happened. */
        public String describe() {
            String what = timedOut ? "was killed after overrunning its time limit" : exitStatus < 0 ? "could not start" : "exited " + exitStatus;
            return String.join(" ", command) + " " + what + " after " + String.format("%.2f s", millis / 1000.0);
        }
    }

    private RePointCommand() {
    }

    /** The environment the command gets: where the application must go now, and where it came from. */
    public static Map<String, String> environment(String cluster, String newPrimaryName, Endpoint newPrimary, Endpoint oldPrimary) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("LIFEBOAT_CLUSTER", cluster);
        env.put("LIFEBOAT_NEW_PRIMARY", newPrimaryName);
        env.put("LIFEBOAT_NEW_PRIMARY_HOST", newPrimary.host());
        env.put("LIFEBOAT_NEW_PRIMARY_PORT", Integer.toString(newPrimary.port()));
        env.put("LIFEBOAT_OLD_PRIMARY_HOST", oldPrimary.host());
        env.put("LIFEBOAT_OLD_PRIMARY_PORT", Integer.toString(oldPrimary.port()));
        return env;
    }

    /**
     * Why the command could not run, checked before anything changes: a program that does not exist or is not
     * executable (a bare name is looked up on PATH, as the process launcher will).
     */
    public static Optional<String> problem(RePoint rePoint) {
        String program = program(rePoint.command());
        if (program.contains("/")) {
            Path p = Path.of(program);
            if (!Files.exists(p)) {
                return Optional.of("the re-point program " + program + " does not exist");
            }
            return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.empty()
                    : Optional.of("the re-point program " + program + " is not an executable file");
        }
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin");
        for (String dir : path.split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.empty();
            }
        }
        return Optional.of("the re-point program " + program + " is not on PATH (" + path + ")");
    }

    /** The program that will do the work: the first word, or after a leading {@code env} and its assignments. */
    static String program(List<String> command) {
        String first = command.get(0);
        Path name = Path.of(first).getFileName();
        if (name == null || !name.toString().equals("env")) {
            return first;
        }
        for (int i = 1; i < command.size(); i++) {
            String arg = command.get(i);
            if (arg.equals("-u") || arg.equals("--unset") || arg.equals("-C") || arg.equals("--chdir")) {
                i++; // the option's own argument
            } else if (!arg.contains("=") && !arg.startsWith("-")) {
                return arg;
            }
        }
        return first;
    }

    /** Runs the command to completion or its time limit. Never throws for the command's own failure: see {@link Outcome}. */
    public static Outcome run(RePoint rePoint, Map<String, String> environment) {
        long start = System.nanoTime();
        // In a session (and process group) of its own, so that an overrun kills what it started even after those
        // processes left it (a child of an exited subshell is reparented and is no descendant any more).
        Optional<String> cannot = problem(rePoint); // through setsid, a missing program would only show as an exit status
        if (cannot.isPresent()) {
            return new Outcome(rePoint.command(), -1, false, millisSince(start), cannot.get());
        }
        List<String> command = new java.util.ArrayList<>(rePoint.command());
        Optional<Path> setsid = SETSID.stream().filter(Files::isExecutable).findFirst();
        setsid.ifPresent(s -> command.add(0, s.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        java.util.Set<String> kept = new java.util.HashSet<>(INHERITED);
        kept.addAll(rePoint.inherit());
        env.keySet().retainAll(kept);
        env.putAll(environment);
        String marker = RUN_MARKER + "=" + java.util.UUID.randomUUID();
        env.put(RUN_MARKER, marker.substring(RUN_MARKER.length() + 1));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Outcome(rePoint.command(), -1, false, millisSince(start), e.getMessage());
        }
        try {
            p.getOutputStream().close(); // the command reads nothing from Lifeboat
        } catch (IOException e) {
            // it exited already: its status tells
        }
        Tail tail = new Tail(p.getInputStream());
        Thread reader = new Thread(tail, "lifeboat-repoint-output");
        reader.setDaemon(true);
        reader.start();
        try {
            boolean done = p.waitFor(rePoint.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                kill(p, setsid.isPresent(), marker);
                p.waitFor(5, TimeUnit.SECONDS);
            }
            reader.join(2000);
            return new Outcome(rePoint.command(), done ? p.exitValue() : -1, !done, millisSince(start), tail.text());
        } catch (InterruptedException e) {
            kill(p, setsid.isPresent(), marker);
            Thread.currentThread().interrupt();
            return new Outcome(rePoint.command(), -1, false, millisSince(start), tail.text() + "\n(interrupted)");
        }
    }

    /** Where util-linux's setsid may be. */
    static final List<Path> SETSID = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

    /**
     * Kills the command, its descendants, every process still in its process group when it leads one, and every
     * process started with this run's marker in its environment: only processes this command started (by pid, from
     * /proc; never by name). A process that cleared its environment before exec (env -i) is not found.
     */
    private static void kill(Process p, boolean ownGroup, String marker) {
        long group = p.pid();
        long self = ProcessHandle.current().pid();
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        ProcessHandle.allProcesses().filter(h -> h.pid() != group && h.pid() != self)
                .filter(h -> (ownGroup && processGroup(h.pid()) == group) || startedWith(h.pid(), marker))
                .forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** Whether the process was started with {@code entry} (NAME=value) in its environment (/proc/PID/environ). */
    static boolean startedWith(long pid, String entry) {
        byte[] environ;
        try {
            environ = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
        } catch (IOException | RuntimeException e) {
            return false; // gone, or another user's: not ours
        }
        String text = new String(environ, StandardCharsets.UTF_8);
        return text.startsWith(entry + "\0") || text.contains("\0" + entry + "\0") || text.equals(entry) || text.endsWith("\0" + entry);
    }

    /** The process group of {@code pid} (field 5 of /proc/PID/stat), or -1 when it cannot be read. */
    static long processGroup(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(after[2]); // state, ppid, pgrp
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Keeps the last lines of a stream. */
    private static final class Tail implements Runnable {
        private final InputStream in;
        private final ArrayDeque<String> lines = new ArrayDeque<>();

        Tail(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            // Read in bounded pieces: a command printing one endless line must not exhaust memory mid-failover.
            try (var r = new java.io.InputStreamReader(in, StandardCharsets.UTF_8)) {
                StringBuilder line = new StringBuilder();
                char[] buf = new char[4096];
                for (int n = r.read(buf); n >= 0; n = r.read(buf)) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            add(line);
                        } else if (line.length() < MAX_LINE) {
                            line.append(buf[i]);
                        }
                    }
                }
                if (line.length() > 0) {
                    add(line);
                }
            } catch (IOException e) {
                // the process was killed: keep what was read
            }
        }

        private void add(StringBuilder line) {
            synchronized (lines) {
                lines.addLast(line.length() >= MAX_LINE ? line + "…" : line.toString());
                if (lines.size() > TAIL_LINES) {
                    lines.removeFirst();
                }
            }
            line.setLength(0);
        }

        String text() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }
    }
}
