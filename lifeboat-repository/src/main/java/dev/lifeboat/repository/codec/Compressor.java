package dev.lifeboat.repository.codec;

import com.github.luben.zstd.Zstd;
import dev.lifeboat.core.plan.Compression;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/** zstd (default), lz4 (fastest) or none; the caller stores the uncompressed length. */
public final class Compressor {
    private static final LZ4Factory LZ4 = LZ4Factory.fastestInstance();

    private Compressor() {
    }

    public static byte[] compress(Compression.Algorithm algorithm, int level, byte[] data, int offset, int length) {
        return switch (algorithm) {
            case ZSTD -> {
                byte[] out = new byte[(int) Zstd.compressBound(length)];
                long n = Zstd.compressByteArray(out, 0, out.length, data, offset, length, level);
                if (Zstd.isError(n)) {
                    throw new IllegalStateException("zstd: " + Zstd.getErrorName(n));
                }
                yield java.util.Arrays.copyOf(out, (int) n);
            }
            case LZ4 -> {
                LZ4Compressor c = LZ4.fastCompressor();
                byte[] out = new byte[c.maxCompressedLength(length)];
                int n = c.compress(data, offset, length, out, 0, out.length);
                yield java.util.Arrays.copyOf(out, n);
            }
            case NONE -> java.util.Arrays.copyOfRange(data, offset, offset + length);
        };
    }

    /**
     * Decompresses exactly {@code plainLength} bytes.
     *
     * @throws IllegalArgumentException when the input is not a valid stream of that length
     */
    public static byte[] decompress(Compression.Algorithm algorithm, byte[] data, int offset, int length, int plainLength) {
        byte[] out = new byte[plainLength];
        switch (algorithm) {
            case ZSTD -> {
                long n = Zstd.decompressByteArray(out, 0, plainLength, data, offset, length);
                if (Zstd.isError(n) || n != plainLength) {
                    throw new IllegalArgumentException("zstd stream is damaged" + (Zstd.isError(n) ? ": " + Zstd.getErrorName(n) : ""));
                }
            }
            case LZ4 -> {
                LZ4SafeDecompressor d = LZ4.safeDecompressor();
                int n;
                try {
                    n = d.decompress(data, offset, length, out, 0, plainLength);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("lz4 stream is damaged", e);
                }
                if (n != plainLength) {
                    throw new IllegalArgumentException("lz4 stream is damaged");
                }
            }
            case NONE -> {
                if (length != plainLength) {
                    throw new IllegalArgumentException("stored length " + length + " differs from " + plainLength);
                }
                System.arraycopy(data, offset, out, 0, length);
            }
        }
        return out;
    }
}
