package dev.lifeboat.bench;

import com.github.luben.zstd.Zstd;
import dev.lifeboat.core.plan.Compression;
import dev.lifeboat.repository.chunk.ChunkHasher;
import dev.lifeboat.repository.chunk.FastCdcChunker;
import dev.lifeboat.repository.codec.Compressor;
import dev.lifeboat.repository.crypto.Aead;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Single-thread throughput of each stage of the write path on the same in-memory PostgreSQL-like pages, to see
 * where time goes: {@code java -cp lifeboat-bench.jar dev.lifeboat.bench.StageBenchmark [MiB=256]}.
 */
public final class StageBenchmark {
    private StageBenchmark() {
    }

    interface Stage {
        void run(byte[] data, int off, int len) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        Path dir = Files.createTempDirectory("lifeboat-stages");
        HeapPages.write(dir, mib * 1024L * 1024, 1L << 30, 42);
        byte[] data = Files.readAllBytes(dir.resolve("16384"));
        Files.delete(dir.resolve("16384"));
        Files.delete(dir);
        int chunk = 64 * 1024;
        byte[] key = Aead.randomKey();
        ChunkHasher hasher = new ChunkHasher(key);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] out = new byte[chunk + 64];
        measure("fastcdc", data, (d, o, l) -> FastCdcChunker.forFiles(key).split(new ByteArrayInputStream(d), (b, x, y) -> { }), true);
        measure("hmac-sha256", data, (d, o, l) -> hasher.id(d, o, l), false);
        measure("sha-256", data, (d, o, l) -> sha.update(d, o, l), false);
        measure("zstd -1", data, (d, o, l) -> Compressor.compress(Compression.Algorithm.ZSTD, 1, d, o, l), false);
        measure("zstd -3", data, (d, o, l) -> Compressor.compress(Compression.Algorithm.ZSTD, 3, d, o, l), false);
        measure("zstd fast-1", data, (d, o, l) -> Compressor.compress(Compression.Algorithm.ZSTD, -1, d, o, l), false);
        measure("zstd fast-3", data, (d, o, l) -> Compressor.compress(Compression.Algorithm.ZSTD, -3, d, o, l), false);
        measure("lz4", data, (d, o, l) -> Compressor.compress(Compression.Algorithm.LZ4, 1, d, o, l), false);
        measure("aes-256-gcm", data, (d, o, l) -> Aead.seal(key, d, o, l, new byte[14], out, 0), false);
        byte[] z = Zstd.compress(java.util.Arrays.copyOf(data, chunk), 1);
        System.out.printf(Locale.ROOT, "(one 64 KiB chunk compresses to %d bytes with zstd -1)%n", z.length);
    }

    static void measure(String name, byte[] data, Stage stage, boolean whole) throws Exception {
        int chunk = 64 * 1024;
        for (int round = 0; round < 2; round++) { // the first round warms up the JIT
            long t = System.nanoTime();
            if (whole) {
                stage.run(data, 0, data.length);
            } else {
                for (int off = 0; off + chunk <= data.length; off += chunk) {
                    stage.run(data, off, chunk);
                }
            }
            double s = (System.nanoTime() - t) / 1e9;
            if (round == 1) {
                System.out.printf(Locale.ROOT, "%-12s %6.0f MB/s%n", name, data.length / 1e6 / s);
            }
        }
    }
}
