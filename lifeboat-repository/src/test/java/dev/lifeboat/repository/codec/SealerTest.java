package dev.lifeboat.repository.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lifeboat.core.plan.Compression;
import dev.lifeboat.repository.crypto.Keyring;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class SealerTest {
    private final Keyring keyring = Keyring.create(true);
    private final byte[] text = "progress event ".repeat(1000).getBytes(StandardCharsets.UTF_8);
    private final byte[] ctx = {1, 2, 3};

    @ParameterizedTest
    @EnumSource(Compression.Algorithm.class)
    void roundTripsWithEveryCompression(Compression.Algorithm algorithm) {
        Sealer s = new Sealer(keyring, algorithm, 3);
        byte[] sealed = s.seal(ObjectKind.DATA_BLOB, text, ctx);
        if (algorithm != Compression.Algorithm.NONE) {
            assertThat(sealed.length).isLessThan(text.length / 10);
        }
        assertThat(s.open(ObjectKind.DATA_BLOB, sealed, ctx)).isEqualTo(text);
    }

    @Test
    void incompressibleDataIsStoredRaw() {
        byte[] random = new byte[10_000];
        new Random(1).nextBytes(random);
        Sealer s = new Sealer(keyring, Compression.Algorithm.ZSTD, 3);
        byte[] sealed = s.seal(ObjectKind.DATA_BLOB, random, ctx);
        assertThat(sealed.length).isEqualTo(Sealer.HEADER + 12 + random.length + 16);
        assertThat(s.open(ObjectKind.DATA_BLOB, sealed, ctx)).isEqualTo(random);
    }

    @Test
    void everyFlippedByteIsDetected() {
        Sealer s = new Sealer(keyring, Compression.Algorithm.ZSTD, 3);
        byte[] sealed = s.seal(ObjectKind.DATA_BLOB, text, ctx);
        for (int i = 0; i < sealed.length; i += 7) {
            byte[] bad = sealed.clone();
            bad[i] ^= 0x10;
            assertThatThrownBy(() -> s.open(ObjectKind.DATA_BLOB, bad, ctx)).as("flip at %d", i).isInstanceOf(DamagedObjectException.class);
        }
    }

    @Test
    void wrongContextKindOrKeyIsDetected() {
        Sealer s = new Sealer(keyring, Compression.Algorithm.ZSTD, 3);
        byte[] sealed = s.seal(ObjectKind.DATA_BLOB, text, ctx);
        assertThatThrownBy(() -> s.open(ObjectKind.DATA_BLOB, sealed, new byte[] {9})).hasMessageContaining("authentication");
        assertThatThrownBy(() -> s.open(ObjectKind.TREE_BLOB, sealed, ctx)).hasMessageContaining("expected");
        Sealer other = new Sealer(Keyring.create(true), Compression.Algorithm.ZSTD, 3);
        assertThatThrownBy(() -> other.open(ObjectKind.DATA_BLOB, sealed, ctx)).isInstanceOf(DamagedObjectException.class);
        assertThatThrownBy(() -> s.open(ObjectKind.DATA_BLOB, java.util.Arrays.copyOf(sealed, 20), ctx)).isInstanceOf(DamagedObjectException.class);
    }

    @Test
    void olderDataKeysStillOpenAfterRotation() {
        Sealer before = new Sealer(keyring, Compression.Algorithm.LZ4, 1);
        byte[] sealed = before.seal(ObjectKind.SNAPSHOT, text, ctx);
        Sealer after = new Sealer(keyring.withNewDataKey(), Compression.Algorithm.LZ4, 1);
        assertThat(after.open(ObjectKind.SNAPSHOT, sealed, ctx)).isEqualTo(text);
        byte[] newer = after.seal(ObjectKind.SNAPSHOT, text, ctx);
        assertThat(java.nio.ByteBuffer.wrap(newer, 6, 4).getInt()).isEqualTo(2);
    }

    /** Large objects are sealed in 64 KiB frames: they round-trip, and no frame can be changed, dropped, swapped or cut. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {Sealer.FRAME + 1, 2 * Sealer.FRAME, 3 * Sealer.FRAME + 777})
    void framedObjectsRoundTripAndResistTampering(int size) {
        byte[] random = new byte[size];
        new Random(size).nextBytes(random);
        Sealer s = new Sealer(keyring, Compression.Algorithm.ZSTD, 3);
        byte[] sealed = s.seal(ObjectKind.WAL, random, ctx);
        int frames = (size + Sealer.FRAME - 1) / Sealer.FRAME;
        assertThat(new String(sealed, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("LBX2");
        assertThat(sealed.length).isEqualTo(Sealer.HEADER + 12 + size + frames * 16);
        assertThat(s.open(ObjectKind.WAL, sealed, ctx)).isEqualTo(random);

        byte[] changed = sealed.clone();
        changed[Sealer.HEADER + 12 + Sealer.FRAME + 16 + 5] ^= 1; // inside frame 1
        assertThatThrownBy(() -> s.open(ObjectKind.WAL, changed, ctx)).isInstanceOf(DamagedObjectException.class)
                .hasMessageContaining("frame 1 of " + frames);
        byte[] cut = java.util.Arrays.copyOf(sealed, Sealer.HEADER + 12 + (frames - 1) * (Sealer.FRAME + 16)); // last frame dropped
        assertThatThrownBy(() -> s.open(ObjectKind.WAL, cut, ctx)).isInstanceOf(DamagedObjectException.class);
        if (size >= 2 * Sealer.FRAME) { // two whole frames to swap
            byte[] swapped = sealed.clone();
            System.arraycopy(sealed, Sealer.HEADER + 12, swapped, Sealer.HEADER + 12 + Sealer.FRAME + 16, Sealer.FRAME + 16);
            System.arraycopy(sealed, Sealer.HEADER + 12 + Sealer.FRAME + 16, swapped, Sealer.HEADER + 12, Sealer.FRAME + 16);
            assertThatThrownBy(() -> s.open(ObjectKind.WAL, swapped, ctx)).isInstanceOf(DamagedObjectException.class);
        }
        byte[] downgraded = sealed.clone();
        downgraded[3] = '1'; // claims the single-message format
        assertThatThrownBy(() -> s.open(ObjectKind.WAL, downgraded, ctx)).isInstanceOf(DamagedObjectException.class);
        assertThatThrownBy(() -> s.open(ObjectKind.WAL, sealed, new byte[] {9})).as("moved to another name")
                .isInstanceOf(DamagedObjectException.class);
    }

    @Test
    void unencryptedAndSmallObjectsKeepTheSingleMessageFormat() {
        byte[] random = new byte[3 * Sealer.FRAME];
        new Random(2).nextBytes(random);
        assertThat(new String(new Sealer(Keyring.create(false), Compression.Algorithm.ZSTD, 3).seal(ObjectKind.WAL, random, ctx), 0, 4,
                StandardCharsets.US_ASCII)).isEqualTo("LBX1");
        assertThat(new String(new Sealer(keyring, Compression.Algorithm.ZSTD, 3).seal(ObjectKind.WAL, text, ctx), 0, 4,
                StandardCharsets.US_ASCII)).isEqualTo("LBX1");
    }
}
