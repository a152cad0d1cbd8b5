package dev.lifeboat.redis.rdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The RDB reader on small hand-built files; real Redis output is covered by RedisProtectionIT. */
class RdbReaderTest {
    @Test
    void crc64MatchesRedisCheckValue() {
        byte[] b = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(Crc64.of(b, 0, b.length)).isEqualTo(0xe9c6d914c4b8d9caL);
    }

    @Test
    void readsKeysWithExpiryAndDatabasesAndChecksTheChecksum() {
        List<RdbEntry> seen = new ArrayList<>();
        RdbSummary s = new RdbReader(new ByteArrayInputStream(rdb(10, true))).read(seen::add);
        assertThat(s.version()).isEqualTo(10);
        assertThat(s.checksum()).isEqualTo("verified");
        assertThat(s.aux()).containsEntry("redis-ver", "7.0.15");
        assertThat(s.keysPerDb()).containsEntry(0, 1L).containsEntry(2, 1L);
        assertThat(s.expires()).isEqualTo(1);
        assertThat(seen.get(0).keyText()).isEqualTo("greeting");
        assertThat(seen.get(0).expireAt()).isEqualTo(1_700_000_000_000L);
        assertThat(seen.get(1).keyText()).isEqualTo("n");
        assertThat(seen.get(1).expireAt()).isEqualTo(-1);
        // The value bytes are the RDB's own serialization: an int8-encoded 42.
        assertThat(seen.get(1).value()).containsExactly(0xc0, 42);
    }

    @Test
    void aDumpPayloadCarriesVersionAndCrc() {
        RdbEntry e = new RdbEntry(0, "k".getBytes(StandardCharsets.UTF_8), 0, new byte[] {3, 'a', 'b', 'c'}, -1);
        byte[] p = e.dumpPayload(10);
        assertThat(p).hasSize(1 + 4 + 10);
        assertThat(p[5]).isEqualTo((byte) 10);
        long crc = 0;
        for (int i = 0; i < 8; i++) {
            crc |= (p[7 + i] & 0xffL) << (8 * i);
        }
        assertThat(crc).isEqualTo(Crc64.of(p, 0, 7));
    }

    @Test
    void everyTruncationIsAnInvalidRdbNamingWhereItStopped() {
        byte[] full = rdb(10, true);
        for (int cut = 0; cut < full.length; cut++) {
            byte[] part = Arrays.copyOf(full, cut);
            assertThatThrownBy(() -> new RdbReader(new ByteArrayInputStream(part)).read(e -> { }))
                    .as("cut at %d", cut)
                    .isInstanceOfSatisfying(LifeboatException.class, ex -> assertThat(ex.code()).isEqualTo(ErrorCode.RDB_INVALID));
        }
    }

    @Test
    void aFlippedBitFailsTheChecksum() {
        byte[] bad = rdb(10, true);
        bad[bad.length - 12] ^= 1;
        assertThatThrownBy(() -> new RdbReader(new ByteArrayInputStream(bad)).read(e -> { }))
                .isInstanceOfSatisfying(LifeboatException.class, ex -> assertThat(ex.code()).isEqualTo(ErrorCode.RDB_INVALID));
    }

    /**
     * One changed byte can turn a value type into a code this reader does not read (a pre-release module value); the
     * file's checksum tells a damaged file (RDB_INVALID) from one that really holds such a value.
     */
    @Test
    void anUnreadableTypeIsDamageWhenTheChecksumSaysSoAndUnsupportedOtherwise() {
        for (String file : List.of("damaged", "intact", "no checksum")) {
            byte[] b = rdb(10, !file.equals("no checksum"));
            int type = indexOf(b, "\u0008greeting".getBytes(StandardCharsets.US_ASCII)) - 1;
            assertThat(b[type]).isEqualTo((byte) RdbFormat.STRING);
            b[type] = RdbFormat.MODULE_PRE_GA;
            if (file.equals("intact")) {
                long crc = Crc64.of(b, 0, b.length - 8);
                for (int i = 0; i < 8; i++) {
                    b[b.length - 8 + i] = (byte) (crc >>> (8 * i));
                }
            }
            ErrorCode expected = file.equals("damaged") ? ErrorCode.RDB_INVALID : ErrorCode.RDB_VERSION_UNSUPPORTED;
            assertThatThrownBy(() -> new RdbReader(new ByteArrayInputStream(b)).read(e -> { }))
                    .as(file)
                    .isInstanceOfSatisfying(LifeboatException.class, ex -> {
                        assertThat(ex.code()).isEqualTo(expected);
                        assertThat(ex.getMessage()).contains("pre-release module format");
                    });
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(Arrays.copyOfRange(haystack, i, i + needle.length), needle)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    @Test
    void aDisabledChecksumIsReportedNotFaked() {
        assertThat(new RdbReader(new ByteArrayInputStream(rdb(10, false))).read(e -> { }).checksum()).isEqualTo("disabled");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {9, 10, 11, 12})
    void versionsFromRedis60To74AreRead(int version) {
        assertThat(new RdbReader(new ByteArrayInputStream(rdb(version, true))).read(e -> { }).version()).isEqualTo(version);
    }

    @Test
    void anOlderVersionIsAClearErrorNamingIt() {
        assertThatThrownBy(() -> new RdbReader(new ByteArrayInputStream(rdb(8, true))).read(e -> { }))
                .isInstanceOfSatisfying(LifeboatException.class, ex -> assertThat(ex.getMessage()).contains("RDB version 8", "older than 6.0"));
    }

    @Test
    void aNewerVersionIsAClearErrorNamingIt() {
        assertThatThrownBy(() -> new RdbReader(new ByteArrayInputStream(rdb(13, true))).read(e -> { }))
                .isInstanceOfSatisfying(LifeboatException.class, ex -> {
                    assertThat(ex.code()).isEqualTo(ErrorCode.RDB_VERSION_UNSUPPORTED);
                    assertThat(ex.getMessage()).contains("RDB version 13", "newer than 7.4");
                });
    }

    @Test
    void lzfRoundTripOfARepeatedRun() {
        // literal "ab" then a back-reference of length 6 at distance 2: "abababab"
        byte[] compressed = {1, 'a', 'b', (byte) (4 << 5), 1};
        assertThat(new String(Lzf.decompress(compressed, 8), StandardCharsets.US_ASCII)).isEqualTo("abababab");
        assertThat(Lzf.decompress(compressed, 9)).isNull();
    }

    /** An RDB with an aux field, a string key with expiry in db 0 and an integer key in db 2. */
    static byte[] rdb(int version, boolean checksum) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(String.format("REDIS%04d", version).getBytes(StandardCharsets.US_ASCII));
        b.write(RdbFormat.OP_AUX);
        string(b, "redis-ver");
        string(b, "7.0.15");
        b.write(RdbFormat.OP_SELECTDB);
        b.write(0);
        b.write(RdbFormat.OP_RESIZEDB);
        b.write(1);
        b.write(1);
        b.write(RdbFormat.OP_EXPIRETIME_MS);
        long at = 1_700_000_000_000L;
        for (int i = 0; i < 8; i++) {
            b.write((int) (at >>> (8 * i)));
        }
        b.write(RdbFormat.STRING);
        string(b, "greeting");
        string(b, "hello");
        b.write(RdbFormat.OP_SELECTDB);
        b.write(2);
        b.write(RdbFormat.STRING);
        string(b, "n");
        b.write(0xc0);
        b.write(42);
        b.write(RdbFormat.OP_EOF);
        byte[] body = b.toByteArray();
        long crc = checksum ? Crc64.of(body, 0, body.length) : 0;
        for (int i = 0; i < 8; i++) {
            b.write((int) (crc >>> (8 * i)));
        }
        return b.toByteArray();
    }

    private static void string(ByteArrayOutputStream b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.write(bytes.length);
        b.writeBytes(bytes);
    }
}
