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
