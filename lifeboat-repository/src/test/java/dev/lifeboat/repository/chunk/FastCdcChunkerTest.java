package dev.lifeboat.repository.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FastCdcChunkerTest {
    private final FastCdcChunker chunker = FastCdcChunker.forFiles(new byte[] {1, 2, 3});
    private final ChunkHasher hasher = new ChunkHasher(new byte[32]);

    private List<ChunkId> split(byte[] data, List<Integer> sizes) throws IOException {
        List<ChunkId> ids = new ArrayList<>();
        chunker.split(new ByteArrayInputStream(data), (b, off, len) -> {
            ids.add(hasher.id(b, off, len));
            sizes.add(len);
        });
        return ids;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void chunksCoverTheInputWithinTheSizeBounds() throws IOException {
        byte[] data = random(8 * 1024 * 1024 + 123, 1);
        List<Integer> sizes = new ArrayList<>();
        split(data, sizes);
        assertThat(sizes.stream().mapToLong(Integer::longValue).sum()).isEqualTo(data.length);
        for (int i = 0; i < sizes.size() - 1; i++) {
            assertThat(sizes.get(i)).isBetween(16 * 1024 + 1, 256 * 1024);
        }
        double avg = data.length / (double) sizes.size();
        assertThat(avg).isBetween(40_000.0, 100_000.0);
    }

    @Test
    void anInsertionAtTheFrontChangesOnlyTheFirstChunks() throws IOException {
        byte[] data = random(4 * 1024 * 1024, 2);
        byte[] shifted = new byte[data.length + 100];
        System.arraycopy(random(100, 3), 0, shifted, 0, 100);
        System.arraycopy(data, 0, shifted, 100, data.length);
        List<ChunkId> a = split(data, new ArrayList<>());
        List<ChunkId> b = split(shifted, new ArrayList<>());
        Set<ChunkId> shared = new HashSet<>(a);
        shared.retainAll(new HashSet<>(b));
        assertThat(shared.size()).isGreaterThanOrEqualTo(a.size() - 2);
    }

    @Test
    void sameSeedSameChunksOtherSeedOtherChunks() throws IOException {
        byte[] data = random(2 * 1024 * 1024, 4);
        List<Integer> one = new ArrayList<>();
        List<Integer> two = new ArrayList<>();
        split(data, one);
        split(data, two);
        assertThat(one).isEqualTo(two);
        List<Integer> other = new ArrayList<>();
        FastCdcChunker.forFiles(new byte[] {9}).split(new ByteArrayInputStream(data), (b, off, len) -> other.add(len));
        assertThat(other).isNotEqualTo(one);
    }

    @Test
    void emptyInputHasNoChunksAndSmallInputOne() throws IOException {
        List<Integer> sizes = new ArrayList<>();
        split(new byte[0], sizes);
        assertThat(sizes).isEmpty();
        split(new byte[] {1, 2, 3}, sizes);
        assertThat(sizes).containsExactly(3);
    }
}
