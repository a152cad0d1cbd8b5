package dev.lifeboat.redis.rdb;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The byte layer under {@link RdbReader}: buffered reads that feed every byte into the running CRC-64 and, while a
 * value is being captured, into a capture buffer. Running out of input is an {@link ErrorCode#RDB_INVALID} naming
 * the offset, never a silent short read.
 */
final class RdbInput {
    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;
    private long consumed;
    private final Crc64 crc = new Crc64();
    private boolean crcOn = true;
    private byte[] capture;
    private int captured;
    private String context = "the header";

    RdbInput(InputStream in) {
        this.in = in;
    }

    long offset() {
        return consumed;
    }

    long crc() {
        return crc.value();
    }

    /** Bytes read from here on are not part of the checksum (the checksum itself). */
    void stopCrc() {
        crcOn = false;
    }

    String context() {
        return context;
    }

    void context(String what) {
        context = what;
    }

    void startCapture() {
        capture = new byte[256];
        captured = 0;
    }

    byte[] endCapture() {
        byte[] out = Arrays.copyOf(capture, captured);
        capture = null;
        return out;
    }

    private boolean fill() {
        try {
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            limit = n;
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void consumed(int from, int len) {
        if (crcOn) {
            crc.update(buf, from, len);
        }
        if (capture != null) {
            if (captured + len > capture.length) {
                capture = Arrays.copyOf(capture, Math.max(capture.length * 2, captured + len));
            }
            System.arraycopy(buf, from, capture, captured, len);
            captured += len;
        }
        consumed += len;
    }

    /**
     * Reads what is left of the stream and says whether the file's CRC-64 (its last 8 bytes) matches everything
     * before it: false for a damaged file, true for an intact one, and also true when the file carries no checksum
     * (all zero: Redis with {@code rdbchecksum no}) or is too short to carry one, since then nothing can be told.
     * Used when the reader meets something it does not read, to tell damage from a feature it does not know.
     */
    boolean restMatchesChecksum() {
        capture = null;
        byte[] last = new byte[8];
        long total = 0;
        while (pos < limit || fill()) {
            int n = limit - pos;
            // Feed all but the final 8 bytes seen so far into the CRC: keep a sliding window of the last 8.
            for (int i = 0; i < n; i++) {
                byte b = buf[pos + i];
                if (total >= 8) {
                    crc.update(last[(int) (total % 8)] & 0xff);
                }
                last[(int) (total % 8)] = b;
                total++;
            }
            consumed += n;
            pos = limit;
        }
        if (total < 8) {
            return true;
        }
        long stored = 0;
        for (int i = 0; i < 8; i++) {
            stored |= (long) (last[(int) ((total + i) % 8)] & 0xff) << (8 * i);
        }
        return stored == 0 || stored == crc.value();
    }

    LifeboatException truncated() {
        return new LifeboatException(ErrorCode.RDB_INVALID, "the RDB ends after " + consumed + " bytes, in " + context
                + ": it is truncated", null);
    }

    /** Reads one byte, or returns -1 at a clean end of input (only used where an end is legal). */
    int maybeU8() {
        if (pos == limit && !fill()) {
            return -1;
        }
        int b = buf[pos] & 0xff;
        consumed(pos, 1);
        pos++;
        return b;
    }

    int u8() {
        int b = maybeU8();
        if (b < 0) {
            throw truncated();
        }
        return b;
    }

    byte[] bytes(int n) {
        byte[] out = new byte[n];
        int at = 0;
        while (at < n) {
            if (pos == limit && !fill()) {
                throw truncated();
            }
            int take = Math.min(n - at, limit - pos);
            System.arraycopy(buf, pos, out, at, take);
            consumed(pos, take);
            pos += take;
            at += take;
        }
        return out;
    }

    void skip(long n) {
        long left = n;
        while (left > 0) {
            if (pos == limit && !fill()) {
                throw truncated();
            }
            int take = (int) Math.min(left, limit - pos);
            consumed(pos, take);
            pos += take;
            left -= take;
        }
    }

    long littleEndian(int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (long) u8() << (8 * i);
        }
        return v;
    }

    long bigEndian(int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | u8();
        }
        return v;
    }

    /** True when the input has nothing after what was read (the end of a complete RDB). */
    boolean atEnd() {
        return pos == limit && !fill();
    }
}
