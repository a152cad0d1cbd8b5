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

    /** The sealed blobs, kept apart until {@link #finish} copies them once into the pack. */
    private final List<byte[]> blobs = new ArrayList<>();
    private final List<Entry> entries = new ArrayList<>();
    private int size;

    private record Entry(BlobType type, ChunkId id, int offset, int length, int plainLength) {
    }

    public PackWriter() {
        // Blobs are held as they come and copied once by finish(), so an empty pack costs nothing.
    }

    /** Appends an already sealed blob. */
    public void add(BlobType type, ChunkId id, byte[] sealed, int plainLength) {
        entries.add(new Entry(type, id, size, sealed.length, plainLength));
        blobs.add(sealed);
        size += sealed.length;
    }

    public int size() {
        return size;
    }

    public int count() {
        return entries.size();
    }

    /** A finished pack: its bytes, its id (SHA-256 of the bytes) and where each blob is. */
    public record Finished(String id, byte[] bytes, List<PackedBlob> blobs) {
    }

    public Finished finish(Sealer sealer) {
        ByteBuffer header = ByteBuffer.allocate(8 + entries.size() * ENTRY).put(HEADER_MAGIC).putInt(entries.size());
        for (Entry e : entries) {
            header.put((byte) e.type.kind().code());
            e.id.writeTo(header);
            header.putInt(e.offset).putInt(e.length).putInt(e.plainLength);
        }
        byte[] sealedHeader = sealer.seal(ObjectKind.PACK_HEADER, header.array(), new byte[0]);
        ByteBuffer out = ByteBuffer.allocate(size + sealedHeader.length + 4 + TRAILER.length);
        for (byte[] b : blobs) {
            out.put(b);
        }
        out.put(sealedHeader).putInt(sealedHeader.length).put(TRAILER);
        byte[] bytes = out.array();
        String id = PackNames.sha256(bytes).intern();
        List<PackedBlob> blobs = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            blobs.add(new PackedBlob(e.id, e.type, id, e.offset, e.length, e.plainLength));
        }
        return new Finished(id, bytes, blobs);
    }
}
