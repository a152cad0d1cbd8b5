package dev.lifeboat.repository.crypto;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import javax.crypto.AEADBadTagException;

/**
 * A {@code keys/<id>} object: the master key wrapped by a key-encryption key that a credential derives. A
 * repository may hold several (one per passphrase or key file); any one of them opens it.
 *
 * @param format      key object format (1)
 * @param created     creation time, ISO-8601
 * @param masterKeyId id of the wrapped master key
 * @param kdf         how the key-encryption key is derived
 * @param wrapped     AES-256-GCM of the master key, additional data bound to the master key id
 */
public record KeyObject(int format, String created, String masterKeyId, KdfParams kdf, byte[] wrapped) {
    public static final int FORMAT = 1;

    public static KeyObject wrap(MasterKey master, Credentials credentials, KdfParams kdf) {
        byte[] kek = kdf.derive(credentials.secret());
        return new KeyObject(FORMAT, Instant.now().toString(), master.id(), kdf, Aead.seal(kek, master.key(), aad(master.id())));
    }

    /** Argon2id memory above this (4 GiB) is refused: an object written by someone else must not exhaust memory. */
    static final int MAX_MEMORY_KIB = 4 * 1024 * 1024;
    static final int MAX_ITERATIONS = 64;
    static final int MAX_PARALLELISM = 64;

    /**
     * Why this object cannot be used, if it cannot: fields missing, a derivation this version does not know, or
     * parameters beyond what Lifeboat ever writes (derivation cost is bounded before anything is derived).
     */
    public Optional<String> problem() {
        if (format != FORMAT) {
            return Optional.of("key object format " + format + ", this version reads " + FORMAT);
        }
        if (masterKeyId == null || wrapped == null || kdf == null || kdf.algorithm() == null || kdf.salt() == null) {
            return Optional.of("fields missing");
        }
        if (kdf.salt().length < 8) {
            return Optional.of("a salt of " + kdf.salt().length + " bytes");
        }
        switch (kdf.algorithm()) {
            case KdfParams.HKDF:
                return Optional.empty();
            case KdfParams.ARGON2ID:
                if (kdf.memoryKiB() < 8 * kdf.parallelism() || kdf.memoryKiB() > MAX_MEMORY_KIB || kdf.iterations() < 1
                        || kdf.iterations() > MAX_ITERATIONS || kdf.parallelism() < 1 || kdf.parallelism() > MAX_PARALLELISM) {
                    return Optional.of("Argon2id parameters out of bounds: " + kdf);
                }
                return Optional.empty();
            default:
                return Optional.of("key derivation '" + kdf.algorithm() + "' is unknown to this version");
        }
    }

    /** The master key, or empty when the credential is not the one this object was made for. */
    public Optional<MasterKey> unwrap(Credentials credentials) {
        byte[] kek = kdf.derive(credentials.secret());
        try {
            return Optional.of(new MasterKey(masterKeyId, Aead.open(kek, wrapped, aad(masterKeyId))));
        } catch (AEADBadTagException e) {
            return Optional.empty();
        }
    }

    private static byte[] aad(String masterKeyId) {
        return ("lifeboat master key v1|" + masterKeyId).getBytes(StandardCharsets.UTF_8);
    }
}
