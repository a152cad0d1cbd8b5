package dev.lifeboat.postgres.wal;

import java.util.Locale;

/**
 * A WAL position (log sequence number): a byte offset into the write-ahead log, written by PostgreSQL as two hex
 * numbers {@code X/Y} (high and low 32 bits). Ordered as unsigned 64-bit numbers.
 */
public record Lsn(long value) implements Comparable<Lsn> {
    public static final Lsn ZERO = new Lsn(0);

    /**
     * Parses {@code 16/B374D848}.
     *
     * @throws IllegalArgumentException when the text is not an LSN
     */
    public static Lsn parse(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not an LSN (expected X/Y in hex, e.g. 0/3000060)");
        }
        try {
            long hi = Long.parseLong(text.substring(0, slash), 16);
            long lo = Long.parseLong(text.substring(slash + 1), 16);
            if (hi > 0xFFFFFFFFL || lo > 0xFFFFFFFFL || hi < 0 || lo < 0) {
                throw new IllegalArgumentException("'" + text + "' is out of range for an LSN");
            }
            return new Lsn(hi << 32 | lo);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not an LSN (expected X/Y in hex, e.g. 0/3000060)");
        }
    }

    public Lsn plus(long bytes) {
        return new Lsn(value + bytes);
    }

    /** Bytes from {@code earlier} to this position (negative when {@code earlier} is later). */
    public long minus(Lsn earlier) {
        return value - earlier.value;
    }

    /** The number of the WAL segment holding this position, for segments of {@code segmentSize} bytes. */
    public long segmentNumber(long segmentSize) {
        return Long.divideUnsigned(value, segmentSize);
    }

    /** Offset of this position within its segment. */
    public long segmentOffset(long segmentSize) {
        return Long.remainderUnsigned(value, segmentSize);
    }

    @Override
    public int compareTo(Lsn o) {
        return Long.compareUnsigned(value, o.value);
    }

    public boolean isAfter(Lsn o) {
        return compareTo(o) > 0;
    }

    public boolean isBefore(Lsn o) {
        return compareTo(o) < 0;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%X/%X", value >>> 32, value & 0xFFFFFFFFL);
    }
}
