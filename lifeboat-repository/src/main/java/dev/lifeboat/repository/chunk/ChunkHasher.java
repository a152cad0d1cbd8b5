package dev.lifeboat.repository.chunk;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Computes {@link ChunkId}s with the repository's identification key; one Mac per thread. */
public final class ChunkHasher {
    private final ThreadLocal<Mac> mac;

    public ChunkHasher(byte[] idKey) {
        SecretKeySpec key = new SecretKeySpec(idKey, "HmacSHA256");
        this.mac = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(key);
                return m;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HMAC-SHA256 is not available", e);
            }
        });
    }

    public ChunkId id(byte[] data, int offset, int length) {
        Mac m = mac.get();
        m.update(data, offset, length);
        return ChunkId.of(m.doFinal(), 0);
    }

    public ChunkId id(byte[] data) {
        return id(data, 0, data.length);
    }

    /** Derives deterministic key material for other uses of the identification key (e.g. the chunker's gear table). */
    public byte[] derive(String label) {
        Mac m = mac.get();
        return m.doFinal(label.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
