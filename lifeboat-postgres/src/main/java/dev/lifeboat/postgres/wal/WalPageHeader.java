package dev.lifeboat.postgres.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * The long page header PostgreSQL writes at the start of every WAL segment (XLogLongPageHeaderData, in the server's
 * little-endian byte order): the database system the WAL belongs to, the segment size it was written with, and the
 * position of its first page. It tells a real segment from a file that merely has a segment's name, and one
 * system's WAL from another's.
 *
 * @param systemId    the database system identifier (as pg_control and IDENTIFY_SYSTEM report it)
 * @param segmentSize bytes per segment (initdb --wal-segsize)
 * @param pageAddress the WAL position of the segment's first byte
 */
public record WalPageHeader(long systemId, long segmentSize, Lsn pageAddress) {
    /** XLP_LONG_HEADER in xlp_info: this page starts a segment. */
    private static final int LONG_HEADER = 0x0002;
    /** xlp_magic, info, tli, pageaddr, rem_len, padding, then sysid, seg_size, xlog_blcksz. */
    static final int SIZE = 40;

    /** The header at the start of {@code segment}, if it has one. */
    public static Optional<WalPageHeader> of(byte[] segment) {
        if (segment.length < SIZE) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(segment).order(ByteOrder.LITTLE_ENDIAN);
        int info = b.getShort(2) & 0xFFFF;
        long size = Integer.toUnsignedLong(b.getInt(32));
        if ((info & LONG_HEADER) == 0 || size < 1024 * 1024 || size > 1024L * 1024 * 1024 || Long.bitCount(size) != 1) {
            return Optional.empty();
        }
        return Optional.of(new WalPageHeader(b.getLong(24), size, new Lsn(b.getLong(8))));
    }

    /** Writes a header for {@code segment} of {@code systemId} into {@code into} (tests build segments with it). */
    public static void write(WalSegment segment, long systemId, byte[] into) {
        ByteBuffer b = ByteBuffer.wrap(into).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) 0xD10D).putShort(2, (short) LONG_HEADER).putInt(4, segment.timeline()).putLong(8, segment.start().value())
                .putLong(24, systemId).putInt(32, (int) segment.segmentSize()).putInt(36, 8192);
    }

    /** Bytes per WAL page (XLOG_BLCKSZ, 8 KiB unless PostgreSQL was built otherwise); each page starts with a header. */
    static final int PAGE = 8192;

    /**
     * A page among {@code data[from, to)} (offsets in the segment) written on a timeline after {@code segment}'s: WAL
     * of a newer timeline stored under an older one's name, as when a promotion lands between asking the server
     * its timeline and starting the stream. Pages of older timelines are normal (a new timeline's first segment
     * holds its parent's WAL up to the switch). Only what is a page header (its address the page's own position)
     * counts: zeroed pages and pages not yet written are skipped. Only whole page headers are read.
     */
    public static Optional<String> newerTimeline(WalSegment segment, byte[] data, int from, int to) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (int page = (from + PAGE - 1) / PAGE * PAGE; page + 16 <= to; page += PAGE) {
            long tli = Integer.toUnsignedLong(b.getInt(page + 4));
            boolean header = b.getLong(page + 8) == segment.start().value() + page;
            if (header && tli > segment.timeline()) {
                return Optional.of("its page at offset " + page + " was written on timeline " + tli + ", after the segment's timeline "
                        + segment.timeline() + " (the server was promoted while the stream started)");
            }
        }
        return Optional.empty();
    }

    /** Why {@code data} is not segment {@code segment} as PostgreSQL wrote it, if it is not. */
    public static Optional<String> problem(WalSegment segment, byte[] data) {
        Optional<WalPageHeader> h = of(data);
        if (h.isEmpty()) {
            return Optional.of("it does not start with a WAL segment's page header");
        }
        if (h.get().segmentSize() != data.length || data.length != segment.segmentSize()) {
            return Optional.of("it has " + data.length + " bytes, its header says segments of " + h.get().segmentSize() + " and the name "
                    + segment.segmentSize());
        }
        if (!h.get().pageAddress().equals(segment.start())) {
            return Optional.of("its first page is at " + h.get().pageAddress() + ", not at " + segment.start() + " where " + segment.fileName() + " starts");
        }
        return newerTimeline(segment, data, 0, data.length);
    }
}
