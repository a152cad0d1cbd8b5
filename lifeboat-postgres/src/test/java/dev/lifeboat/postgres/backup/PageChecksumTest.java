package dev.lifeboat.postgres.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast checksum against a word-by-word transcription of checksum_impl.h; real pages are checked in BaseBackupIT. */
class PageChecksumTest {
    @Test
    void matchesTheReferenceAlgorithmOnRandomPagesAndOffsets() {
        Random r = new Random(7);
        for (int n = 0; n < 200; n++) {
            int off = r.nextInt(3) * 8192 + r.nextInt(2);
            byte[] buf = new byte[off + 8192];
            r.nextBytes(buf);
            long block = r.nextInt(1 << 20);
            assertThat(PageChecksum.compute(buf, off, block)).as("page %d", n).isEqualTo(reference(buf, off, block));
        }
    }

    @Test
    void theStoredChecksumFieldDoesNotChangeTheResult() {
        byte[] page = new byte[8192];
        new Random(8).nextBytes(page);
        int before = PageChecksum.compute(page, 0, 3);
        page[8] ^= 0x5a;
        page[9] ^= 0x11;
        assertThat(PageChecksum.compute(page, 0, 3)).isEqualTo(before);
        page[10] ^= 0x01;
        assertThat(PageChecksum.compute(page, 0, 3)).isNotEqualTo(before);
    }

    private static int reference(byte[] page, int off, long block) {
        int[] base = {
            0x5B1F36E9, 0xB8525960, 0x02AB50AA, 0x1DE66D2A, 0x79FF467A, 0x9BB9F8A3, 0x217E7CD2, 0x83E13D2C,
            0xF8D4474F, 0xE39EB970, 0x42C6AE16, 0x993216FA, 0x7B093B5D, 0x98DAFF3C, 0xF718902A, 0x0B1C9CDB,
            0xE58F764B, 0x187636BC, 0x5D7B3BB1, 0xE73DE7DE, 0x92BEC979, 0xCCA6C0B2, 0x304A0979, 0x85AA43D4,
            0x783125BB, 0x6CA8EAA2, 0xE407EAC6, 0x4B5CFC3E, 0x9FBF8C76, 0x15CA20BE, 0xF2CA9FD3, 0x959BD756};
        int[] sums = base.clone();
        for (int i = 0; i < 8192 / 128; i++) {
            for (int j = 0; j < 32; j++) {
                int at = off + (i * 32 + j) * 4;
                int word = (page[at] & 0xff) | (page[at + 1] & 0xff) << 8 | (page[at + 2] & 0xff) << 16 | (page[at + 3] & 0xff) << 24;
                if (at - off == 8) {
                    word &= 0xFFFF0000;
                }
                int tmp = sums[j] ^ word;
                sums[j] = tmp * 16777619 ^ (tmp >>> 17);
            }
        }
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 32; j++) {
                int tmp = sums[j];
                sums[j] = tmp * 16777619 ^ (tmp >>> 17);
            }
        }
        int result = 0;
        for (int s : sums) {
            result ^= s;
        }
        result ^= (int) block;
        return (int) (Integer.toUnsignedLong(result) % 65535) + 1;
    }
}
