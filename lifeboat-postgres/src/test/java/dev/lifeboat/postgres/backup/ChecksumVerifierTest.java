package dev.lifeboat.postgres.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checksum failures count only when they persist: a torn read is read again from the file, as pg_basebackup does. */
class ChecksumVerifierTest {
    static final long START = 0x0000000100000000L; // the backup's start LSN: 1/0

    @TempDir
    Path dir;

    /** A page from before the backup (LSN 0/5000), with content and a correct checksum for block 1. */
    static byte[] validPage(long seed) {
        byte[] page = new byte[PageChecksum.PAGE];
        new Random(seed).nextBytes(page);
        for (int i = 0; i < 8; i++) {
            page[i] = 0;
        }
        page[4] = 0x00;
        page[5] = 0x50; // pd_lsn = 0/5000
        page[14] = 0x00;
        page[15] = 0x20; // pd_upper = 8192: not a new page
        int sum = PageChecksum.compute(page, 0, 1);
        page[8] = (byte) sum;
        page[9] = (byte) (sum >>> 8);
        return page;
    }

    private static int failuresReading(ChecksumVerifier v, InputStream in) throws Exception {
        try (in) {
            in.readAllBytes();
        }
        return v.failures().size();
    }

    @Test
    void aTornReadIsReadAgainAndPassesWhenTheFileHoldsAWholePage() throws Exception {
        byte[] before = validPage(1);
        byte[] torn = before.clone();
        System.arraycopy(validPage(2), 4096, torn, 4096, 4096); // the old header and first half, the new second half
        Path file = dir.resolve("16384");
        byte[] onDisk = new byte[2 * PageChecksum.PAGE];
        System.arraycopy(before, 0, onDisk, PageChecksum.PAGE, PageChecksum.PAGE); // block 1 whole again
        Files.write(file, onDisk);
        byte[] stream = new byte[2 * PageChecksum.PAGE];
        System.arraycopy(torn, 0, stream, PageChecksum.PAGE, PageChecksum.PAGE);

        ChecksumVerifier withFile = new ChecksumVerifier(START);
        assertThat(failuresReading(withFile, withFile.wrap("base/5/16384", file, new ByteArrayInputStream(stream)))).isZero();

        ChecksumVerifier withoutReRead = new ChecksumVerifier(START);
        assertThat(failuresReading(withoutReRead, withoutReRead.wrap("base/5/16384", new ByteArrayInputStream(stream))))
                .as("the same torn bytes fail without a re-read").isEqualTo(1);
    }

    @Test
    void aPageThatStillFailsOnReReadIsReported() throws Exception {
        byte[] corrupt = validPage(3);
        corrupt[5000] ^= 0x40; // a flipped bit on disk
        Path file = dir.resolve("16385");
        byte[] onDisk = new byte[2 * PageChecksum.PAGE];
        System.arraycopy(corrupt, 0, onDisk, PageChecksum.PAGE, PageChecksum.PAGE);
        Files.write(file, onDisk);
        ChecksumVerifier v = new ChecksumVerifier(START);
        assertThat(failuresReading(v, v.wrap("base/5/16385", file, Files.newInputStream(file)))).isEqualTo(1);
        assertThat(v.failures().get(0)).startsWith("base/5/16385 block 1 ");
    }
}
