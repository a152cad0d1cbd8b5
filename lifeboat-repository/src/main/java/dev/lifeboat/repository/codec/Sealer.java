package dev.lifeboat.repository.codec;

import dev.lifeboat.core.plan.Compression;
import dev.lifeboat.repository.crypto.Aead;
import dev.lifeboat.repository.crypto.Keyring;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.crypto.AEADBadTagException;

/**
 * Turns plaintext into a stored object and back: compress (kept raw when that does not shrink it), then encrypt
 * with the keyring's current data key. Layout, all integers big-endian:
 *
 * <pre>
 * magic "LBX1" (4) | kind (1) | compression (1) | data key id (4, 0 = not encrypted) | plaintext length (4) | body   (14-byte header)
 * body = nonce (12) || AES-256-GCM(compressed) || tag (16)     when encrypted
 * body = compressed                                             when not
 * </pre>
 *
 * The header and a caller-given context (a blob's id, an object's name) are the additional authenticated data:
 * changing any byte, or moving an object elsewhere, makes it fail to open. Unencrypted repositories rely on the
 * content-addressed names and blob ids for integrity, checked by the callers.
 */
public final class Sealer {
    static final byte[] MAGIC = "LBX1".getBytes(StandardCharsets.US_ASCII);
    public static final int HEADER = 14;

    private final Keyring keyring;
    private final Compression.Algorithm algorithm;
    private final int level;

    public Sealer(Keyring keyring, Compression.Algorithm algorithm, int level) {
        this.keyring = keyring;
        this.algorithm = algorithm;
        this.level = level;
    }

    public Keyring keyring() {
        return keyring;
    }

    public byte[] seal(ObjectKind kind, byte[] plain, byte[] context) {
        return seal(kind, plain, 0, plain.length, context);
    }

    public byte[] seal(ObjectKind kind, byte[] plain, int offset, int length, byte[] context) {
        // Compress into this thread's scratch buffer and encrypt from there straight into the exact-size output:
        // one allocation per object on the write path (the profile showed the copies and garbage of the old way).
        Compression.Algorithm used = algorithm;
        byte[] body = plain;
        int bodyOffset = offset;
        int bodyLength = length;
        if (algorithm != Compression.Algorithm.NONE) {
            byte[] scratch = scratch(Compressor.bound(algorithm, length));
            int n = Compressor.compressInto(algorithm, level, plain, offset, length, scratch);
            if (n < length) {
                body = scratch;
                bodyOffset = 0;
                bodyLength = n;
            } else {
                used = Compression.Algorithm.NONE; // stored raw: it does not compress
            }
        }
        int keyId = keyring.current();
        byte[] header = ByteBuffer.allocate(HEADER).put(MAGIC).put((byte) kind.code()).put((byte) wireCode(used))
                .putInt(keyId).putInt(length).array();
        if (keyId == 0) {
            byte[] out = new byte[HEADER + bodyLength];
            System.arraycopy(header, 0, out, 0, HEADER);
            System.arraycopy(body, bodyOffset, out, HEADER, bodyLength);
            return out;
        }
        byte[] out = new byte[HEADER + Aead.NONCE_BYTES + bodyLength + Aead.TAG_BYTES];
        System.arraycopy(header, 0, out, 0, HEADER);
        Aead.seal(keyring.currentKey().key(), body, bodyOffset, bodyLength, aad(header, context), out, HEADER);
        return out;
    }

    private static final ThreadLocal<byte[][]> SCRATCH = ThreadLocal.withInitial(() -> new byte[1][]);

    /** This thread's compression buffer, grown to at least {@code size} bytes; large objects get their own. */
    private static byte[] scratch(int size) {
        if (size > 1024 * 1024) {
            return new byte[size]; // a WAL segment or a big index: not worth keeping per thread
        }
        byte[][] holder = SCRATCH.get();
        if (holder[0] == null || holder[0].length < size) {
            holder[0] = new byte[Math.max(size, 320 * 1024)];
        }
        return holder[0];
    }

    /**
     * Opens a sealed object.
     *
     * @throws DamagedObjectException when it is not a sealed object of that kind, fails authentication (a changed
     *                                byte, a wrong key, a moved object), or does not decompress
     */
    public byte[] open(ObjectKind kind, byte[] sealed, int offset, int length, byte[] context) {
        if (length < HEADER) {
            throw new DamagedObjectException("object is truncated (" + length + " bytes)");
        }
        ByteBuffer h = ByteBuffer.wrap(sealed, offset, HEADER);
        byte[] magic = new byte[4];
        h.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new DamagedObjectException("object does not start with the Lifeboat object header");
        }
        int kindCode = h.get();
        int compression = h.get();
        int keyId = h.getInt();
        int plainLength = h.getInt();
        if (kindCode != kind.code()) {
            throw new DamagedObjectException("object is a " + kindCode + " where a " + kind + " was expected");
        }
        if (compression < 0 || compression > 2 || plainLength < 0) {
            throw new DamagedObjectException("object header is damaged");
        }
        byte[] body;
        int bodyOffset;
        int bodyLength;
        if (keyId == 0) {
            if (keyring.encrypted()) {
                throw new DamagedObjectException("object is not encrypted in an encrypted repository");
            }
            body = sealed;
            bodyOffset = offset + HEADER;
            bodyLength = length - HEADER;
        } else {
            Keyring.DataKey key = keyring.key(keyId).orElseThrow(() ->
                    new DamagedObjectException("object is encrypted with data key " + keyId + ", which the keyring does not hold"));
            byte[] header = java.util.Arrays.copyOfRange(sealed, offset, offset + HEADER);
            try {
                body = Aead.open(key.key(), sealed, offset + HEADER, length - HEADER, aad(header, context));
            } catch (AEADBadTagException e) {
                throw new DamagedObjectException("object fails authentication: it was changed, truncated or moved");
            }
            bodyOffset = 0;
            bodyLength = body.length;
        }
        try {
            return Compressor.decompress(fromWireCode(compression), body, bodyOffset, bodyLength, plainLength);
        } catch (IllegalArgumentException e) {
            throw new DamagedObjectException("object does not decompress: " + e.getMessage());
        }
    }

    public byte[] open(ObjectKind kind, byte[] sealed, byte[] context) {
        return open(kind, sealed, 0, sealed.length, context);
    }

    /** Stable on-disk codes: 0 none, 1 zstd, 2 lz4. */
    private static int wireCode(Compression.Algorithm a) {
        return switch (a) {
            case NONE -> 0;
            case ZSTD -> 1;
            case LZ4 -> 2;
        };
    }

    private static Compression.Algorithm fromWireCode(int code) {
        return code == 1 ? Compression.Algorithm.ZSTD : code == 2 ? Compression.Algorithm.LZ4 : Compression.Algorithm.NONE;
    }

    private static byte[] aad(byte[] header, byte[] context) {
        byte[] aad = new byte[header.length + context.length];
        System.arraycopy(header, 0, aad, 0, header.length);
        System.arraycopy(context, 0, aad, header.length, context.length);
        return aad;
    }
}
