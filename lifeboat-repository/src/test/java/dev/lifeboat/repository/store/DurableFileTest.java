package dev.lifeboat.repository.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFileTest {
    @TempDir
    Path dir;

    /** Sizes around the direct-write threshold, the 1 MiB buffer and 4 KiB blocks, written in uneven pieces. */
    @ParameterizedTest
    @ValueSource(longs = {0, 1, 4095, 65536, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 << 20, (5 << 20) + 4097, (7 << 20) - 512})
    void writesExactlyTheBytesGivenWithAndWithoutODirect(long size) throws Exception {
        byte[] data = new byte[(int) size];
        new Random(size).nextBytes(data);
        for (boolean tryDirect : new boolean[] {true, false}) {
            Path p = dir.resolve("f-" + size + "-" + tryDirect);
            AtomicBoolean direct = new AtomicBoolean(tryDirect);
            try (DurableFile f = DurableFile.create(p, size, direct, StandardOpenOption.CREATE)) {
                // Direct exactly when large enough and the filesystem took O_DIRECT (else the flag was cleared).
                assertThat(f.direct()).isEqualTo(tryDirect && size >= DurableFile.DIRECT_FROM && direct.get());
                int at = 0;
                int piece = 1;
                while (at < data.length) {
                    int n = Math.min(data.length - at, piece);
                    f.write(data, at, n);
                    at += n;
                    piece = piece * 7 % 200_003 + 1; // uneven pieces, up to ~200 KB
                }
                f.finish();
                assertThat(f.size()).isEqualTo(size);
            }
            assertThat(Files.size(p)).as("size, direct=" + tryDirect).isEqualTo(size);
            assertThat(Files.readAllBytes(p)).as("content, direct=" + tryDirect).isEqualTo(data);
        }
    }

    @Test
    void aFileRestoredAgainOverAPartialOneIsReplacedWhole() throws Exception {
        Path p = dir.resolve("again");
        Files.write(p, new byte[3 << 20]);
        byte[] data = new byte[(2 << 20) + 10];
        new Random(1).nextBytes(data);
        try (DurableFile f = DurableFile.create(p, data.length, new AtomicBoolean(true), StandardOpenOption.CREATE)) {
            f.write(data, 0, data.length);
            f.finish();
        }
        assertThat(Files.readAllBytes(p)).isEqualTo(data);
    }
}
