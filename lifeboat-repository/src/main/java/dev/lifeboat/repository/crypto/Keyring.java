package dev.lifeboat.repository.crypto;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The repository's secrets below the master key: the identification key (keyed hash of chunk contents; never
 * rotated, or deduplication would stop) and the data keys that encrypt objects. New objects use the current data
 * key; every older one is kept so that older objects stay readable after a rotation.
 *
 * @param format   keyring format (1)
 * @param idKey    HMAC-SHA256 key for chunk ids and the chunker's gear table
 * @param dataKeys every data key ever used, by id
 * @param current  id of the data key for new objects; 0 in an unencrypted repository
 */
public record Keyring(int format, byte[] idKey, List<DataKey> dataKeys, int current) {
    public static final int FORMAT = 1;

    /** One data key. */
    public record DataKey(int id, byte[] key, String created) {
        @Override
        public String toString() {
            return "DataKey[" + id + ", " + created + "]";
        }
    }

    public static Keyring create(boolean encrypted) {
        List<DataKey> keys = new ArrayList<>();
        if (encrypted) {
            keys.add(new DataKey(1, Aead.randomKey(), Instant.now().toString()));
        }
        return new Keyring(FORMAT, Aead.randomKey(), keys, encrypted ? 1 : 0);
    }

    public boolean encrypted() {
        return current != 0;
    }

    public Optional<DataKey> key(int id) {
        // Called for every object opened: a plain loop, no stream (the profile showed the stream).
        for (DataKey k : dataKeys) {
            if (k.id() == id) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    public DataKey currentKey() {
        return key(current).orElseThrow(() -> new IllegalStateException("keyring has no current data key " + current));
    }

    /** This keyring with a fresh current data key added; older keys stay for reading. */
    public Keyring withNewDataKey() {
        int next = dataKeys.stream().mapToInt(DataKey::id).max().orElse(0) + 1;
        List<DataKey> keys = new ArrayList<>(dataKeys);
        keys.add(new DataKey(next, Aead.randomKey(), Instant.now().toString()));
        return new Keyring(format, idKey, List.copyOf(keys), next);
    }

    @Override
    public String toString() {
        return "Keyring[" + dataKeys.size() + " data keys, current " + current + "]";
    }
}
