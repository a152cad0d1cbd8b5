package dev.lifeboat.repository.crypto;

/** The key that wraps the keyring of data keys. Its id names the keyring object: {@code keyring/<id>}. */
public record MasterKey(String id, byte[] key) {
    @Override
    public String toString() {
        return "MasterKey[" + id + "]";
    }
}
