package dev.lifeboat.postgres.stream;

import dev.lifeboat.postgres.wal.Lsn;
import java.util.ArrayDeque;

/**
 * The recovery point lag of a WAL stream: how long ago the oldest WAL that has arrived from the server but is not
 * yet durable in the repository arrived. That WAL holds the commits a crash of the primary would lose now, so
 * this is the RPO the stream currently delivers; it is 0 when everything received is stored. Under steady load it
 * saws between 0 and the flush interval.
 *
 * <p>Arrivals are kept as (end of WAL, first arrival time) and merged when they come within {@link #MERGE_MILLIS}
 * of each other, so the lag is overstated by at most that much and memory stays small at any rate. Thread-safe:
 * the receiver records, a status thread reads.
 */
public final class RpoLag {
    static final long MERGE_MILLIS = 10;

    private final ArrayDeque<long[]> arrivals = new ArrayDeque<>(); // {end of WAL, arrival millis}
    private long durable;

    /** WAL up to {@code end} has arrived at {@code nowMillis}. */
    public synchronized void arrived(Lsn end, long nowMillis) {
        long[] last = arrivals.peekLast();
        if (last != null && nowMillis - last[1] < MERGE_MILLIS) {
            last[0] = Math.max(last[0], end.value());
        } else if (Long.compareUnsigned(end.value(), durable) > 0) {
            arrivals.addLast(new long[] {end.value(), nowMillis});
        }
    }

    /** WAL up to {@code upTo} is durable in the repository. */
    public synchronized void durable(Lsn upTo) {
        durable = upTo.value();
        while (!arrivals.isEmpty() && Long.compareUnsigned(arrivals.peekFirst()[0], durable) <= 0) {
            arrivals.removeFirst();
        }
    }

    /** Milliseconds since the oldest WAL not yet durable arrived; 0 when there is none. */
    public synchronized long lagMillis(long nowMillis) {
        long[] first = arrivals.peekFirst();
        return first == null ? 0 : Math.max(0, nowMillis - first[1]);
    }
}
