package dev.lifeboat.postgres.stream;

import dev.lifeboat.postgres.wal.Lsn;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps one cluster's WAL streaming: runs a {@link WalReceiver}, and when it fails (server restarted, network gone,
 * store unreachable) says why and starts a new one after a backoff, from the slot's position, so nothing is lost.
 * Every decision is reported through {@code events} as one sentence.
 */
public final class StreamSupervisor implements Runnable {
    private final String cluster;
    private final Supplier<WalReceiver> receivers;
    private final AtomicBoolean stop;
    private final Consumer<String> events;
    private volatile WalReceiver current;
    private volatile String state = "starting";
    /** When the current outage began (millis), and the lag at that moment; 0 before the first failure. */
    private volatile long downSince;
    private volatile long lagWhenDown;

    public StreamSupervisor(String cluster, Supplier<WalReceiver> receivers, AtomicBoolean stop, Consumer<String> events) {
        this.cluster = cluster;
        this.receivers = receivers;
        this.stop = stop;
        this.events = events;
    }

    @Override
    public void run() {
        long backoff = 1000;
        while (!stop.get()) {
            WalReceiver r = receivers.get();
            if (downSince != 0) {
                r.resumesOutage(downSince - lagWhenDown);
            }
            current = r;
            state = "connecting";
            events.accept(cluster + ": streaming WAL into the repository");
            try {
                r.run(stop);
                backoff = 1000;
            } catch (RuntimeException e) {
                long now = System.currentTimeMillis();
                if (r.started() || downSince == 0) {
                    // An outage starts when a receiver that streamed fails (or the first attempt fails), with that
                    // receiver's own lag, which counts from the last outage's origin while its backlog is not durable:
                    // so a receiver that streamed an idle cluster for hours starts a new outage at lag 0, and one the
                    // store kept from storing carries the old outage on. Attempts that never streamed (server gone)
                    // continue the outage, so the lag keeps growing until WAL reaches the repository again.
                    lagWhenDown = r.started() ? r.rpoLagMillis(now) : 0;
                    downSince = now;
                }
                if (r.progressed()) {
                    backoff = 1000; // it worked for a while: retry soon, then back off again
                }
                state = "retrying: " + e.getMessage();
                events.accept(cluster + ": streaming stopped (" + e.getMessage() + "); retrying in " + backoff / 1000
                        + " s from the slot's position, so no WAL is lost");
                sleep(backoff);
                backoff = Math.min(backoff * 2, 60_000);
            }
        }
        state = "stopped";
    }

    private void sleep(long millis) {
        long until = System.currentTimeMillis() + millis;
        while (!stop.get() && System.currentTimeMillis() < until) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public String cluster() {
        return cluster;
    }

    /** Whether a receiver is connected and streaming now. */
    public boolean streaming() {
        return streaming(current, state);
    }

    /** The receiver of the current (or last) attempt, if one started. */
    public java.util.Optional<WalReceiver> receiver() {
        return java.util.Optional.ofNullable(current);
    }

    private static boolean streaming(WalReceiver r, String state) {
        return r != null && r.started() && !state.startsWith("retrying") && !state.equals("stopped");
    }

    /**
     * The recovery point lag: while streaming, the receiver's ({@link RpoLag}); while streaming is down, the time
     * since it stopped plus the lag then, since the server may be writing WAL that nothing receives.
     */
    public long rpoLagMillis(long nowMillis) {
        WalReceiver r = current;
        long down = downSince;
        if (streaming(r, state)) {
            return r.rpoLagMillis(nowMillis);
        }
        return down != 0 ? nowMillis - down + lagWhenDown : 0;
    }

    /** One line: received and durable positions, how far the repository trails what was received, and the RPO lag. */
    public String status() {
        WalReceiver r = current;
        if (r == null) {
            return cluster + ": " + state;
        }
        Lsn received = r.received();
        Lsn durable = r.durable();
        return String.format("%s: %s, received %s, durable %s (%d bytes behind), RPO lag %.1f s", cluster,
                streaming() ? "streaming" : state, received, durable,
                Math.max(0, received.minus(durable)), rpoLagMillis(System.currentTimeMillis()) / 1000.0);
    }

}
