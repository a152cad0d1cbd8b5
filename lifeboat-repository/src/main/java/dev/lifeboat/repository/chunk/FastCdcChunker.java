package dev.lifeboat.repository.chunk;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Content-defined chunking after FastCDC (Xia et al., USENIX ATC 2016): a gear rolling hash, no cut before
 * {@code min}, a harder cut condition before {@code avg} and an easier one after it (normalized chunking), and a
 * forced cut at {@code max}. The gear table is derived from the repository's key, so chunk sizes do not reveal
 * content across repositories. The masks use the hash's high bits, which depend on the last 64 bytes.
 */
public final class FastCdcChunker implements Chunker {
    private final int min;
    private final int avg;
    private final int max;
    private final long maskHard;
    private final long maskEasy;
    private final long[] gear = new long[256];

    public FastCdcChunker(int min, int avg, int max, byte[] seed) {
        if (!(0 < min && min < avg && avg < max) || Integer.bitCount(avg) != 1) {
            throw new IllegalArgumentException("need 0 < min < avg < max with avg a power of two");
        }
        this.min = min;
        this.avg = avg;
        this.max = max;
        int bits = Integer.numberOfTrailingZeros(avg);
        this.maskHard = highBits(bits + 2);
        this.maskEasy = highBits(bits - 2);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < 256; i += 4) {
                sha.update(seed);
                sha.update((byte) i);
                ByteBuffer b = ByteBuffer.wrap(sha.digest());
                for (int j = 0; j < 4; j++) {
                    gear[i + j] = b.getLong();
                }
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The defaults for files: 16 KiB minimum, 64 KiB average, 256 KiB maximum. */
    public static FastCdcChunker forFiles(byte[] seed) {
        return new FastCdcChunker(16 * 1024, 64 * 1024, 256 * 1024, seed);
    }

    private static long highBits(int n) {
        return n <= 0 ? 0 : -1L << (64 - n);
    }

    @Override
    public void split(InputStream in, Sink sink) throws IOException {
        byte[] buf = new byte[max * 2];
        int start = 0;
        int end = 0;
        boolean eof = false;
        while (true) {
            if (!eof && end - start < max) {
                // Keep at least one maximum-sized chunk in the buffer.
                if (start > 0) {
                    System.arraycopy(buf, start, buf, 0, end - start);
                    end -= start;
                    start = 0;
                }
                int n = in.readNBytes(buf, end, buf.length - end);
                end += n;
                eof = end < buf.length;
            }
            if (start == end) {
                return;
            }
            int cut = cut(buf, start, end);
            sink.chunk(buf, start, cut - start);
            start = cut;
        }
    }

    /** The end (exclusive) of the chunk starting at {@code start}. */
    int cut(byte[] buf, int start, int end) {
        int n = end - start;
        if (n <= min) {
            return end;
        }
        int limit = Math.min(n, max);
        int normal = Math.min(limit, avg);
        long fp = 0;
        int i = min;
        for (; i < normal; i++) {
            fp = (fp << 1) + gear[buf[start + i] & 0xff];
            if ((fp & maskHard) == 0) {
                return start + i + 1;
            }
        }
        for (; i < limit; i++) {
            fp = (fp << 1) + gear[buf[start + i] & 0xff];
            if ((fp & maskEasy) == 0) {
                return start + i + 1;
            }
        }
        return start + limit;
    }

    @Override
    public String describe() {
        return "fastcdc/" + min + "/" + avg + "/" + max;
    }

    @Override
    public int maxSize() {
        return max;
    }
}
