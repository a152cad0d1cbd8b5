package dev.lifeboat.repository.chunk;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * A chunk's identity: HMAC-SHA256 of its content under the repository's identification key, so equal content has
 * equal ids within a repository while two repositories never reveal that they hold the same content. Held as four
 * longs for a compact in-memory index.
 */
public record ChunkId(long a, long b, long c, long d) implements Comparable<ChunkId> {
    public static final int BYTES = 32;

    public static ChunkId of(byte[] bytes, int offset) {
        ByteBuffer buf = ByteBuffer.wrap(bytes, offset, BYTES);
        return new ChunkId(buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong());
    }

    public static ChunkId parse(String hex) {
        if (hex.length() != 64) {
            throw new IllegalArgumentException("a chunk id has 64 hex digits: '" + hex + "'");
        }
        return of(HexFormat.of().parseHex(hex), 0);
    }

    public byte[] bytes() {
        return ByteBuffer.allocate(BYTES).putLong(a).putLong(b).putLong(c).putLong(d).array();
    }

    public void writeTo(ByteBuffer buf) {
        buf.putLong(a).putLong(b).putLong(c).putLong(d);
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes());
    }

    public String shortHex() {
        return hex().substring(0, 12);
    }

    @Override
    public int compareTo(ChunkId o) {
        int r = Long.compareUnsigned(a, o.a);
        if (r == 0) {
            r = Long.compareUnsigned(b, o.b);
        }
        if (r == 0) {
            r = Long.compareUnsigned(c, o.c);
        }
        return r != 0 ? r : Long.compareUnsigned(d, o.d);
    }

    @Override
    public String toString() {
        return hex();
    }
}
