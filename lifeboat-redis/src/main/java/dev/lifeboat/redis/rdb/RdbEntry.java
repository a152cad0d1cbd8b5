package dev.lifeboat.redis.rdb;

import java.nio.charset.StandardCharsets;

/**
 * One key of an RDB file.
 *
 * @param db       database number
 * @param key      the key's bytes
 * @param type     the RDB value type (see {@link RdbFormat#typeName})
 * @param value    the value exactly as serialized in the RDB (without the type byte), or null when the reader was
 *                 asked not to keep values
 * @param expireAt absolute expiry in milliseconds since the epoch, or -1 for none
 */
public record RdbEntry(int db, byte[] key, int type, byte[] value, long expireAt) {
    public String keyText() {
        return new String(key, StandardCharsets.UTF_8);
    }

    public String typeName() {
        return RdbFormat.typeName(type);
    }

    /**
     * The key as a {@code DUMP}/{@code RESTORE} payload for a server that reads {@code rdbVersion}: type byte,
     * value, the RDB version (2 bytes, little-endian) and the CRC-64 of all that (8 bytes, little-endian).
     */
    public byte[] dumpPayload(int rdbVersion) {
        byte[] p = new byte[1 + value.length + 10];
        p[0] = (byte) type;
        System.arraycopy(value, 0, p, 1, value.length);
        int at = 1 + value.length;
        p[at] = (byte) rdbVersion;
        p[at + 1] = (byte) (rdbVersion >>> 8);
        long crc = Crc64.of(p, 0, at + 2);
        for (int i = 0; i < 8; i++) {
            p[at + 2 + i] = (byte) (crc >>> (8 * i));
        }
        return p;
    }
}
