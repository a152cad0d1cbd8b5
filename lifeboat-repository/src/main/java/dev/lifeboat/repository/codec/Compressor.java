package dev.lifeboat.repository.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import dev.lifeboat.core.plan.Compression;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/** zstd (default), lz4 (fastest) or none; the caller stores the uncompressed length. */
public final class Compressor {
    /**
     * lz4-java unpacks its native library into the temporary directory when first used, and a killed process leaves
     * that copy behind; loading it only for repositories that use lz4 keeps zstd users (the default) clear of it.
     */
    private static final class Lz4 {
        static final LZ4Factory FACTORY = LZ4Factory.fastestInstance();
    }
    /** zstd contexts are expensive to create; one per thread and level is reused (the profile showed it). */
    private static final ThreadLocal<java.util.Map<Integer, ZstdCompressCtx>> COMPRESS = ThreadLocal.withInitial(java.util.HashMap::new);
    private static final ThreadLocal<ZstdDecompressCtx> DECOMPRESS = ThreadLocal.withInitial(ZstdDecompressCtx::new);

    private Compressor() {
    }

    public static byte[] compress(Compression.Algorithm algorithm, int level, byte[] data, int offset, int length) {
        if (algorithm == Compression.Algorithm.NONE) {
            return java.util.Arrays.copyOfRange(data, offset, offset + length);
        }
        byte[] out = new byte[bound(algorithm, length)];
        int n = compressInto(algorithm, level, data, offset, length, out);
        return java.util.Arrays.copyOf(out, n);
    }

    /** The largest output {@link #compressInto} can produce for {@code length} bytes. */
    public static int bound(Compression.Algorithm algorithm, int length) {
        return switch (algorithm) {
            case ZSTD -> (int) Zstd.compressBound(length);
            case LZ4 -> Lz4.FACTORY.fastCompressor().maxCompressedLength(length);
            case NONE -> length;
        };
    }

    /**
     * Compresses into {@code out} (at least {@link #bound} bytes) and returns the compressed length; no allocation,
     * so the write path can compress into a per-thread buffer and encrypt from there.
     */
    public static int compressInto(Compression.Algorithm algorithm, int level, byte[] data, int offset, int length, byte[] out) {
        return switch (algorithm) {
            case ZSTD -> COMPRESS.get().computeIfAbsent(level, l -> new ZstdCompressCtx().setLevel(l))
                    .compressByteArray(out, 0, out.length, data, offset, length);
            case LZ4 -> Lz4.FACTORY.fastCompressor().compress(data, offset, length, out, 0, out.length);
            case NONE -> {
                System.arraycopy(data, offset, out, 0, length);
                yield length;
            }
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
                int n;
                try {
                    n = DECOMPRESS.get().decompressByteArray(out, 0, plainLength, data, offset, length);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("zstd stream is damaged: " + e.getMessage(), e);
                }
                if (n != plainLength) {
                    throw new IllegalArgumentException("zstd stream is damaged");
                }
            }
            case LZ4 -> {
                LZ4SafeDecompressor d = Lz4.FACTORY.safeDecompressor();
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
