package dev.lifeboat.postgres.wal;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One WAL segment file, named as PostgreSQL names it: 24 hex digits, {@code TTTTTTTTXXXXXXXXYYYYYYYY}: the timeline,
 * then the segment number split into a "log" part and a position within it (each log holds 4 GiB of WAL, so
 * {@code 0x100000000 / segmentSize} segments).
 *
 * @param timeline    the timeline the segment belongs to
 * @param number      the segment number (LSN / segment size)
 * @param segmentSize bytes per segment (16 MiB by default; set by initdb --wal-segsize)
 */
public record WalSegment(int timeline, long number, long segmentSize) implements Comparable<WalSegment> {
    public static final long DEFAULT_SIZE = 16L * 1024 * 1024;
    private static final Pattern NAME = Pattern.compile("([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})(\\.PARTIAL)?"); // matched upper-cased

    public WalSegment {
        if (timeline < 1) {
            throw new IllegalArgumentException("timelines start at 1, not " + timeline);
        }
        if (segmentSize < 1024 * 1024 || Long.bitCount(segmentSize) != 1 || segmentSize > 1024L * 1024 * 1024) {
            throw new IllegalArgumentException("a WAL segment size is a power of two from 1 MiB to 1 GiB, not " + segmentSize);
        }
    }

    /** The segment holding {@code lsn} on {@code timeline}. */
    public static WalSegment of(int timeline, Lsn lsn, long segmentSize) {
        return new WalSegment(timeline, lsn.segmentNumber(segmentSize), segmentSize);
    }

    /**
     * The last segment needed to have all WAL before {@code end}: the one holding the byte just before it. This is
     * what PostgreSQL's {@code pg_walfile_name} returns, which differs from {@link #of} exactly at segment boundaries.
     */
    public static WalSegment lastNeededUpTo(int timeline, Lsn end, long segmentSize) {
        return of(timeline, end.value() == 0 ? end : end.plus(-1), segmentSize);
    }

    /** Parses a segment file name (a trailing {@code .partial} is accepted and ignored); empty if it is not one. */
    public static Optional<WalSegment> parse(String name, long segmentSize) {
        Matcher m = NAME.matcher(name.toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            return Optional.empty();
        }
        int tli = (int) Long.parseLong(m.group(1), 16);
        long log = Long.parseLong(m.group(2), 16);
        long seg = Long.parseLong(m.group(3), 16);
        long perLog = 0x100000000L / segmentSize;
        if (tli < 1 || seg >= perLog) {
            return Optional.empty();
        }
        return Optional.of(new WalSegment(tli, log * perLog + seg, segmentSize));
    }

    private long perLog() {
        return 0x100000000L / segmentSize;
    }

    public String fileName() {
        return String.format(Locale.ROOT, "%08X%08X%08X", timeline, number / perLog(), number % perLog());
    }

    /** The first position in this segment. */
    public Lsn start() {
        return new Lsn(number * segmentSize);
    }

    /** The position just after this segment. */
    public Lsn end() {
        return new Lsn((number + 1) * segmentSize);
    }

    public WalSegment next() {
        return new WalSegment(timeline, number + 1, segmentSize);
    }

    /** The same segment number on another timeline (after a promotion, the switch segment exists on both). */
    public WalSegment onTimeline(int tli) {
        return new WalSegment(tli, number, segmentSize);
    }

    /** Whether {@code lsn} lies in this segment. */
    public boolean contains(Lsn lsn) {
        return !lsn.isBefore(start()) && lsn.isBefore(end());
    }

    @Override
    public int compareTo(WalSegment o) {
        int c = Long.compare(number, o.number);
        return c != 0 ? c : Integer.compare(timeline, o.timeline);
    }

    @Override
    public String toString() {
        return fileName();
    }
}
