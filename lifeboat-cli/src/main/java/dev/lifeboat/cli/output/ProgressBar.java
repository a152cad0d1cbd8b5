package dev.lifeboat.cli.output;

import dev.lifeboat.repository.files.Progress;
import java.io.PrintWriter;

/**
 * A one-line progress bar on the terminal (stderr), redrawn at most ten times a second. Silent when stderr is not a
 * terminal or when JSON output was asked for, so logs and scripts get no escape codes.
 */
public final class ProgressBar implements Progress {
    private final PrintWriter err;
    private final String label;
    private final boolean enabled;
    private final long started = System.nanoTime();
    private long lastDraw;
    private boolean drawn;

    public ProgressBar(PrintWriter err, String label, boolean json) {
        this.err = err;
        this.label = label;
        this.enabled = !json && System.console() != null && !"dumb".equals(System.getenv("TERM"));
    }

    @Override
    public synchronized void update(long done, long total, long files) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L && done < total) {
            return;
        }
        lastDraw = now;
        double seconds = Math.max(0.001, (now - started) / 1e9);
        String rate = Sizes.bytes((long) (done / seconds)) + "/s";
        String line;
        if (total > 0) {
            int pct = (int) Math.min(100, done * 100 / total);
            int filled = pct / 4;
            line = String.format("%s [%s%s] %3d%% %s / %s, %s", label, "#".repeat(filled), " ".repeat(25 - filled), pct,
                    Sizes.bytes(done), Sizes.bytes(total), rate);
        } else {
            line = String.format("%s %s, %s", label, Sizes.bytes(done), rate);
        }
        err.print("\r" + line + "\u001b[K");
        err.flush();
        drawn = true;
    }

    /** Clears the bar so the result prints on a clean line. */
    public synchronized void done() {
        if (drawn) {
            err.print("\r\u001b[K");
            err.flush();
        }
    }
}
