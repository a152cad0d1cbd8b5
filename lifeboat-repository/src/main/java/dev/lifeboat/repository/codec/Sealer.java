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
 *
 * magic "LBX2", same header: an encrypted object whose compressed body exceeds {@value #FRAME} bytes, in frames
 * body = base nonce (12) || frame 0 || frame 1 || ...          frame i = AES-256-GCM(next FRAME bytes) || tag (16)
 * </pre>
 *
 * A frame's nonce is the base nonce with its index xored into the last four bytes, and its additional data also
 * carries the index and whether it is the last frame, so frames cannot be reordered, dropped or cut off. Frames
 * exist because HotSpot's AES-GCM is fast only for calls it has seen thousands of times: one call per 16 MiB WAL
 * segment ran at about 50 MB/s, 64 KiB messages at gigabytes per second (docs/performance.md).
 *
 * The header and a caller-given context (a blob's id, an object's name) are the additional authenticated data:
 * changing any byte, or moving an object elsewhere, makes it fail to open. Unencrypted repositories rely on the
 * content-addressed names and blob ids for integrity, checked by the callers.
 */
public final class Sealer {
    static final byte[] MAGIC = "LBX1".getBytes(StandardCharsets.US_ASCII);
    static final byte[] MAGIC_FRAMED = "LBX2".getBytes(StandardCharsets.US_ASCII);
    /** Plaintext bytes per frame of a framed object. */
    public static final int FRAME = 64 * 1024;
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
        return seal(kind, plain, offset, length, context, byte[]::new);
    }

    /** A sealed object in this thread's scratch buffer: {@code bytes[0, length)}, valid until the thread seals again. */
    public record Scratch(byte[] bytes, int length) {
    }

    /**
     * {@link #seal(ObjectKind, byte[], int, int, byte[])} into this thread's scratch buffer instead of a new array,
     * for callers that copy the result at once (backups append it to a reused pack buffer, so no sealed blob
     * outlives the call and the collector has nothing to promote).
     */
    public Scratch sealToScratch(ObjectKind kind, byte[] plain, int offset, int length, byte[] context) {
        int[] size = new int[1];
        byte[] out = seal(kind, plain, offset, length, context, n -> {
            size[0] = n;
            return scratch(SEALED, n);
        });
        return new Scratch(out, size[0]);
    }

    private byte[] seal(ObjectKind kind, byte[] plain, int offset, int length, byte[] context, java.util.function.IntFunction<byte[]> output) {
        // Compress into this thread's scratch buffer and encrypt from there straight into the output: one
        // allocation per object on the write path, none with sealToScratch (the profile showed the copies and
        // garbage of the old way).
        Compression.Algorithm used = algorithm;
        byte[] body = plain;
        int bodyOffset = offset;
        int bodyLength = length;
        if (algorithm != Compression.Algorithm.NONE) {
            byte[] scratch = scratch(COMPRESSED, Compressor.bound(algorithm, length));
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
        boolean framed = keyId != 0 && bodyLength > FRAME;
        byte[] header = ByteBuffer.allocate(HEADER).put(framed ? MAGIC_FRAMED : MAGIC).put((byte) kind.code()).put((byte) wireCode(used))
                .putInt(keyId).putInt(length).array();
        if (framed) {
            return sealFramed(header, body, bodyOffset, bodyLength, context, output);
        }
        if (keyId == 0) {
            byte[] out = output.apply(HEADER + bodyLength);
            System.arraycopy(header, 0, out, 0, HEADER);
            System.arraycopy(body, bodyOffset, out, HEADER, bodyLength);
            return out;
        }
        byte[] out = output.apply(HEADER + Aead.NONCE_BYTES + bodyLength + Aead.TAG_BYTES);
        System.arraycopy(header, 0, out, 0, HEADER);
        Aead.seal(keyring.currentKey().key(), body, bodyOffset, bodyLength, aad(header, context), out, HEADER);
        return out;
    }

    private byte[] sealFramed(byte[] header, byte[] body, int bodyOffset, int bodyLength, byte[] context,
                              java.util.function.IntFunction<byte[]> output) {
        int frames = (bodyLength + FRAME - 1) / FRAME;
        byte[] out = output.apply(HEADER + Aead.NONCE_BYTES + bodyLength + frames * Aead.TAG_BYTES);
        System.arraycopy(header, 0, out, 0, HEADER);
        byte[] base = Aead.randomBytes(Aead.NONCE_BYTES);
        System.arraycopy(base, 0, out, HEADER, Aead.NONCE_BYTES);
        byte[] key = keyring.currentKey().key();
        int at = HEADER + Aead.NONCE_BYTES;
        for (int i = 0; i < frames; i++) {
            int len = Math.min(FRAME, bodyLength - i * FRAME);
            at += Aead.sealWithNonce(key, frameNonce(base, i), body, bodyOffset + i * FRAME, len, frameAad(header, context, i, i == frames - 1),
                    out, at);
        }
        return out;
    }

    private static byte[] frameNonce(byte[] base, int index) {
        byte[] nonce = new byte[Aead.NONCE_BYTES];
        System.arraycopy(base, 0, nonce, 0, Aead.NONCE_BYTES);
        nonce[8] ^= (byte) (index >>> 24);
        nonce[9] ^= (byte) (index >>> 16);
        nonce[10] ^= (byte) (index >>> 8);
        nonce[11] ^= (byte) index;
        return nonce;
    }

    private static byte[] frameAad(byte[] header, byte[] context, int index, boolean last) {
        byte[] aad = new byte[header.length + context.length + 5];
        System.arraycopy(header, 0, aad, 0, header.length);
        System.arraycopy(context, 0, aad, header.length, context.length);
        int at = header.length + context.length;
        aad[at] = (byte) (index >>> 24);
        aad[at + 1] = (byte) (index >>> 16);
        aad[at + 2] = (byte) (index >>> 8);
        aad[at + 3] = (byte) index;
        aad[at + 4] = (byte) (last ? 1 : 0);
        return aad;
    }

    /** The compressed body of a framed object, every frame authenticated. */
    private byte[] openFramed(byte[] sealed, int offset, int length, byte[] header, int keyId, byte[] context) {
        Keyring.DataKey key = keyring.key(keyId).orElseThrow(() ->
                new DamagedObjectException("object is encrypted with data key " + keyId + ", which the keyring does not hold"));
        int rest = length - HEADER - Aead.NONCE_BYTES;
        int frames = (rest + FRAME + Aead.TAG_BYTES - 1) / (FRAME + Aead.TAG_BYTES);
        int last = rest - (frames - 1) * (FRAME + Aead.TAG_BYTES);
        if (rest <= Aead.TAG_BYTES || last <= Aead.TAG_BYTES) {
            throw new DamagedObjectException("object is truncated: its frames are incomplete");
        }
        byte[] base = java.util.Arrays.copyOfRange(sealed, offset + HEADER, offset + HEADER + Aead.NONCE_BYTES);
        byte[] body = new byte[rest - frames * Aead.TAG_BYTES];
        int in = offset + HEADER + Aead.NONCE_BYTES;
        int out = 0;
        for (int i = 0; i < frames; i++) {
            int len = i == frames - 1 ? last : FRAME + Aead.TAG_BYTES;
            try {
                out += Aead.openWithNonce(key.key(), frameNonce(base, i), sealed, in, len, frameAad(header, context, i, i == frames - 1), body, out);
            } catch (AEADBadTagException e) {
                throw new DamagedObjectException("object fails authentication in frame " + i + " of " + frames
                        + ": it was changed, truncated or moved");
            }
            in += len;
        }
        return body;
    }

    /** Per-thread buffers: compressed bodies, and sealed objects for {@link #sealToScratch}. */
    private static final ThreadLocal<byte[][]> COMPRESSED = ThreadLocal.withInitial(() -> new byte[1][]);
    private static final ThreadLocal<byte[][]> SEALED = ThreadLocal.withInitial(() -> new byte[1][]);

    /** This thread's buffer of that use, grown to at least {@code size} bytes; large objects get their own. */
    private static byte[] scratch(ThreadLocal<byte[][]> use, int size) {
        if (size > 1024 * 1024) {
            return new byte[size]; // a WAL segment or a big index: not worth keeping per thread
        }
        byte[][] holder = use.get();
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
        boolean framed = java.util.Arrays.equals(magic, MAGIC_FRAMED);
        if (!framed && !java.util.Arrays.equals(magic, MAGIC)) {
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
        if (framed) {
            if (keyId == 0) {
                throw new DamagedObjectException("object header is damaged (framed but not encrypted)");
            }
            body = openFramed(sealed, offset, length, java.util.Arrays.copyOfRange(sealed, offset, offset + HEADER), keyId, context);
            bodyOffset = 0;
            bodyLength = body.length;
        } else if (keyId == 0) {
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
