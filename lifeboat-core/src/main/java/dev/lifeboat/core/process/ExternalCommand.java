package dev.lifeboat.core.process;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion with a time limit, its output appended to a log file. Used to drive server tools. */
public final class ExternalCommand {
    private ExternalCommand() {
    }

    /**
     * Runs {@code command}; returns its output. Fails with {@code process-failed} naming the command, its exit
     * status and the tail of its log when it exits non-zero or overruns {@code limit} (it is then killed).
     */
    public static String run(List<String> command, Path log, Duration limit) {
        return run(command, log, limit, Map.of());
    }

    public static String run(List<String> command, Path log, Duration limit, Map<String, String> env) {
        String name = Path.of(command.get(command.indexOf("--") + 1)).getFileName().toString();
        try {
            Files.createDirectories(log.getParent());
            long start = Files.exists(log) ? Files.size(log) : 0;
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            ChildEnvironment.scrub(pb.environment()).put("LC_ALL", "C");
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new LifeboatException(ErrorCode.PROCESS_FAILED, ErrorCode.PROCESS_FAILED.format(name,
                        "did not finish within " + limit.toSeconds() + "s; log " + log + tail(log)), null);
            }
            byte[] all = Files.readAllBytes(log);
            String output = new String(all, (int) Math.min(start, all.length), (int) (all.length - Math.min(start, all.length)), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new LifeboatException(ErrorCode.PROCESS_FAILED, ErrorCode.PROCESS_FAILED.format(name,
                        "exit status " + p.exitValue() + "; log " + log + tail(log)), null);
            }
            return output;
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.PROCESS_FAILED, ErrorCode.PROCESS_FAILED.format(name, e.getMessage()), null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted while running " + name, null, e);
        }
    }

    /** The last lines of a log, indented, for an error message. */
    public static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> last = lines.subList(Math.max(0, lines.size() - 12), lines.size());
            return last.isEmpty() ? "" : "\n  | " + String.join("\n  | ", last);
        } catch (IOException e) {
            return "";
        }
    }
}
