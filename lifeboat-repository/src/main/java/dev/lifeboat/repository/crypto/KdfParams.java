package dev.lifeboat.repository.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * How a key-encryption key is derived from a credential: Argon2id (RFC 9106) for passphrases, HKDF-SHA256
 * (RFC 5869) for key files, which already hold 256 bits of randomness.
 *
 * @param algorithm   {@code argon2id} or {@code hkdf-sha256}
 * @param memoryKiB   Argon2id memory cost
 * @param iterations  Argon2id time cost
 * @param parallelism Argon2id lanes
 * @param salt        16 random bytes, stored with the key object
 */
public record KdfParams(String algorithm, int memoryKiB, int iterations, int parallelism, byte[] salt) {
    public static final String ARGON2ID = "argon2id";
    public static final String HKDF = "hkdf-sha256";

    /** RFC 9106's second recommended option: 64 MiB, 3 passes, one lane (about a quarter second here). */
    public static KdfParams argon2idDefault() {
        return new KdfParams(ARGON2ID, 64 * 1024, 3, 1, Aead.randomBytes(16));
    }

    /** Cheap parameters for tests only. */
    public static KdfParams argon2idForTests() {
        return new KdfParams(ARGON2ID, 256, 1, 1, Aead.randomBytes(16));
    }

    public static KdfParams hkdf() {
        return new KdfParams(HKDF, 0, 0, 0, Aead.randomBytes(16));
    }

    /** The 256-bit key-encryption key for {@code secret} (passphrase bytes, or key file content). */
    public byte[] derive(byte[] secret) {
        switch (algorithm) {
            case ARGON2ID: {
                Argon2BytesGenerator g = new Argon2BytesGenerator();
                g.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                        .withMemoryAsKB(memoryKiB).withIterations(iterations).withParallelism(parallelism).withSalt(salt).build());
                byte[] out = new byte[Aead.KEY_BYTES];
                g.generateBytes(secret, out);
                return out;
            }
            case HKDF: {
                try {
                    Mac mac = Mac.getInstance("HmacSHA256");
                    mac.init(new SecretKeySpec(salt, "HmacSHA256"));
                    byte[] prk = mac.doFinal(secret);
                    mac.init(new SecretKeySpec(prk, "HmacSHA256"));
                    mac.update("lifeboat key-file v1".getBytes(StandardCharsets.UTF_8));
                    mac.update((byte) 1);
                    return mac.doFinal();
                } catch (java.security.GeneralSecurityException e) {
                    throw new IllegalStateException("HMAC-SHA256 is not available", e);
                }
            }
            default:
                throw new IllegalArgumentException("unknown key derivation '" + algorithm + "'");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KdfParams k && k.algorithm.equals(algorithm) && k.memoryKiB == memoryKiB
                && k.iterations == iterations && k.parallelism == parallelism && Arrays.equals(k.salt, salt);
    }

    @Override
    public int hashCode() {
        return algorithm.hashCode() * 31 + Arrays.hashCode(salt);
    }

    @Override
    public String toString() {
        return algorithm.equals(ARGON2ID) ? "argon2id(m=" + memoryKiB + "KiB, t=" + iterations + ", p=" + parallelism + ")" : algorithm;
    }
}
