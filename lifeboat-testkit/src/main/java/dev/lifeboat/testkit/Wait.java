package dev.lifeboat.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes; errors while polling count as "not yet". */
public final class Wait {
    private Wait() {
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
