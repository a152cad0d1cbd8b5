package dev.lifeboat.postgres.wal;

/** Whole WAL segments for tests: zeros after the long page header a real segment starts with. */
public final class TestSegments {
    /** The system identifier of the segments {@link #of(WalSegment)} makes. */
    public static final long SYSTEM = 7_300_000_000_000_000_123L;

    private TestSegments() {
    }

    public static byte[] of(WalSegment segment) {
        return of(segment, SYSTEM);
    }

    public static byte[] of(WalSegment segment, long systemId) {
        byte[] data = new byte[(int) segment.segmentSize()];
        WalPageHeader.write(segment, systemId, data);
        return data;
    }
}
