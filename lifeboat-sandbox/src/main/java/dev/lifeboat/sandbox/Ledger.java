package dev.lifeboat.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The ground truth for data loss: every write the application acknowledged, with the time the request was sent
 * and the time the acknowledgement arrived (epoch milliseconds), and every request that failed.
 */
public final class Ledger {
    /** One acknowledged write. */
    public record Write(String kind, String id, long sentAt, long ackedAt) {
    }

    private final ConcurrentLinkedQueue<Write> acknowledged = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<long[]> failures = new ConcurrentLinkedQueue<>();

    public void acknowledged(String kind, String id, long sentAt, long ackedAt) {
        acknowledged.add(new Write(kind, id, sentAt, ackedAt));
    }

    public void failed(String kind, long at) {
        failures.add(new long[] {kind.hashCode(), at});
    }

    public List<Write> writes(String kind) {
        List<Write> out = new ArrayList<>();
        for (Write w : acknowledged) {
            if (w.kind().equals(kind)) {
                out.add(w);
            }
        }
        return out;
    }

    /** Times of failed requests of a kind. */
    public List<Long> failures(String kind) {
        List<Long> out = new ArrayList<>();
        for (long[] f : failures) {
            if (f[0] == kind.hashCode()) {
                out.add(f[1]);
            }
        }
        return out;
    }

    /** The first acknowledgement of a kind at or after {@code t}, if any. */
    public java.util.Optional<Write> firstAckAfter(String kind, long t) {
        return writes(kind).stream().filter(w -> w.ackedAt() >= t).min(java.util.Comparator.comparingLong(Write::ackedAt));
    }
}
