package dev.lifeboat.repository.pack;

import dev.lifeboat.repository.chunk.ChunkId;
import dev.lifeboat.repository.codec.ObjectKind;
import dev.lifeboat.repository.codec.Sealer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds one pack: sealed blobs back to back, then the sealed header listing them, then the header's length and
 * a trailer. Layout:
 *
 * <pre>
 * blob 1 | … | blob N | sealed header | header length (4, big-endian) | "LBP1"
 * header (plaintext) = "LBH1" | count (4) | count × [type (1) | chunk id (32) | offset (4) | length (4) | plain length (4)]
 * </pre>
 *
 * Blobs are sealed independently (additional data: their chunk id), so a pack can be read blob by blob with ranged
 * reads and repacked without re-encrypting. The header makes a pack self-describing: an index can be rebuilt from
 * packs alone.
 */
public final class PackWriter {
    public static final byte[] TRAILER = "LBP1".getBytes(StandardCharsets.US_ASCII);
    static final byte[] HEADER_MAGIC = "LBH1".getBytes(StandardCharsets.US_ASCII);
    static final int ENTRY = 1 + ChunkId.BYTES + 4 + 4 + 4;

    /** The pack so far: sealed blobs back to back in {@code buffer[0, size)}; grown by doubling when needed. */
    private byte[] buffer;
    private final List<Entry> entries = new ArrayList<>();
    private int size;

    private record Entry(BlobType type, ChunkId id, int offset, int length, int plainLength) {
    }

    /** Doubling stops here (the expected pack size plus room for the blob that fills it); beyond, exactly what is needed. */
    private final int softCap;

    public PackWriter() {
        this(null, 16 * 1024 * 1024);
    }

    /**
     * A writer that fills {@code reuse} (a buffer of an earlier, uploaded pack) when given: backups recycle a few
     * pack buffers instead of allocating each pack, so the collector has no pack-sized garbage to copy or promote.
     * {@code expectedSize} is the size at which the caller finishes packs.
     */
    public PackWriter(byte[] reuse, int expectedSize) {
        this.buffer = reuse != null ? reuse : new byte[64 * 1024];
        this.softCap = (int) Math.min(Integer.MAX_VALUE - 16, expectedSize + 256L * 1024);
    }

    /** Appends an already sealed blob. */
    public void add(BlobType type, ChunkId id, byte[] sealed, int plainLength) {
        add(type, id, sealed, 0, sealed.length, plainLength);
    }

    /** Appends the sealed blob {@code sealed[offset, offset + length)}, copying it. */
    public void add(BlobType type, ChunkId id, byte[] sealed, int offset, int length, int plainLength) {
        ensure(size + length);
        System.arraycopy(sealed, offset, buffer, size, length);
        entries.add(new Entry(type, id, size, length, plainLength));
        size += length;
    }

    private void ensure(int needed) {
        if (needed < 0) {
            throw new IllegalStateException("pack larger than 2 GiB");
        }
        if (needed > buffer.length) {
            buffer = java.util.Arrays.copyOf(buffer, Math.max(needed, (int) Math.min(softCap, 2L * buffer.length)));
        }
    }

    public int size() {
        return size;
    }

    public int count() {
        return entries.size();
    }

    /**
     * A finished pack: its bytes are {@code bytes[0, length)} (the buffer may be longer; it can be reused once the
     * pack is stored), its id (SHA-256 of those bytes) and where each blob is.
     */
    public record Finished(String id, byte[] bytes, int length, List<PackedBlob> blobs) {
    }

    public Finished finish(Sealer sealer) {
        ByteBuffer header = ByteBuffer.allocate(8 + entries.size() * ENTRY).put(HEADER_MAGIC).putInt(entries.size());
        for (Entry e : entries) {
            header.put((byte) e.type.kind().code());
            e.id.writeTo(header);
            header.putInt(e.offset).putInt(e.length).putInt(e.plainLength);
        }
        byte[] sealedHeader = sealer.seal(ObjectKind.PACK_HEADER, header.array(), new byte[0]);
        int length = size + sealedHeader.length + 4 + TRAILER.length;
        ensure(length);
        ByteBuffer.wrap(buffer, size, length - size).put(sealedHeader).putInt(sealedHeader.length).put(TRAILER);
        String id = PackNames.sha256(buffer, 0, length).intern();
        List<PackedBlob> blobs = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            blobs.add(new PackedBlob(e.id, e.type, id, e.offset, e.length, e.plainLength));
        }
        return new Finished(id, buffer, length, blobs);
    }
}
