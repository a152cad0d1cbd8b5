package dev.lifeboat.repository.crypto;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What unlocks a repository's master key: a passphrase (stretched with Argon2id) or a key file (at least 32 random
 * bytes, expanded with HKDF). A KMS can later be added as another way to unwrap the master key. {@link #toString()}
 * never reveals the secret.
 */
public sealed interface Credentials {
    /** The secret as bytes for key derivation. */
    byte[] secret();

    /** Parameters to use when creating a new key object with this credential. */
    KdfParams newKdf();

    /** How this credential is described in messages: "passphrase", "key file". */
    String kind();

    record Passphrase(char[] value) implements Credentials {
        public Passphrase {
            if (value.length == 0) {
                throw new IllegalArgumentException("the passphrase is empty");
            }
        }

        @Override
        public byte[] secret() {
            ByteBuffer b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(value));
            return Arrays.copyOf(b.array(), b.limit());
        }

        @Override
        public KdfParams newKdf() {
            return KdfParams.argon2idDefault();
        }

        @Override
        public String kind() {
            return "passphrase";
        }

        @Override
        public String toString() {
            return "Passphrase[****]";
        }
    }

    record KeyFile(byte[] content) implements Credentials {
        public KeyFile {
            if (content.length < 32) {
                throw new IllegalArgumentException("a key file must hold at least 32 bytes (it has " + content.length + ")");
            }
        }

        @Override
        public byte[] secret() {
            return content.clone();
        }

        @Override
        public KdfParams newKdf() {
            return KdfParams.hkdf();
        }

        @Override
        public String kind() {
            return "key file";
        }

        @Override
        public String toString() {
            return "KeyFile[****]";
        }
    }
}
