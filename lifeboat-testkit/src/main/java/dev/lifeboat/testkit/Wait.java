package dev.lifeboat.testkit;

import dev.lifeboat.core.process.ExternalCommand;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes; errors while polling count as "not yet". */
public final class Wait {
    private Wait() {
    }

    /**
     * Waits until {@code process} accepts TCP connections on 127.0.0.1:{@code port}.
     *
     * @throws LifeboatException {@code process-failed} with the tail of {@code log} if it exits or never listens
     */
    public static void forPort(Process process, int port, Path log, String name, Duration limit) {
        try {
            until(limit, name + " on port " + port, () -> {
                if (!process.isAlive()) {
                    return true;
                }
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IllegalStateException e) {
            Reaper.kill(process.pid());
            throw new LifeboatException(ErrorCode.PROCESS_FAILED, ErrorCode.PROCESS_FAILED.format(name, e.getMessage()
                    + ExternalCommand.tail(log)), null, e);
        }
        if (!process.isAlive()) {
            throw new LifeboatException(ErrorCode.PROCESS_FAILED, ErrorCode.PROCESS_FAILED.format(name, "exited at start"
                    + ExternalCommand.tail(log)), null);
        }
    }

    public static void until(Duration limit, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        RuntimeException last = null;
        long sleep = 20;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
            sleep = Math.min(250, sleep * 2);
        }
        throw new IllegalStateException("timed out after " + limit.toSeconds() + "s waiting for " + what
                + (last != null ? " (last error: " + last.getMessage() + ")" : ""), last);
    }
}
