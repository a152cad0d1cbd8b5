package dev.lifeboat.repository.pack;

import dev.lifeboat.repository.chunk.ChunkId;
import dev.lifeboat.repository.codec.DamagedObjectException;
import dev.lifeboat.repository.codec.ObjectKind;
import dev.lifeboat.repository.codec.Sealer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads a whole pack: checks its name against its content, then lists its blobs from the sealed header. */
public final class PackReader {
    private PackReader() {
    }

    /**
     * The blobs a pack holds, per its header.
     *
     * @throws DamagedObjectException when the bytes do not hash to {@code id} or the header is damaged
     */
    public static List<PackedBlob> blobs(String id, byte[] bytes, Sealer sealer) {
        if (!PackNames.sha256(bytes).equals(id)) {
            throw new DamagedObjectException("pack content does not match its name (SHA-256): it was changed or truncated");
        }
        return blobsUnchecked(id, bytes, sealer);
    }

    /** The blobs per the pack's sealed header, without checking the pack's name against its content. */
    public static List<PackedBlob> blobsUnchecked(String id, byte[] bytes, Sealer sealer) {
        int n = bytes.length;
        if (n < 8 || !Arrays.equals(Arrays.copyOfRange(bytes, n - 4, n), PackWriter.TRAILER)) {
            throw new DamagedObjectException("pack has no Lifeboat trailer");
        }
        int headerLength = ByteBuffer.wrap(bytes, n - 8, 4).getInt();
        if (headerLength < Sealer.HEADER || headerLength > n - 8) {
            throw new DamagedObjectException("pack header length " + headerLength + " is impossible");
        }
        byte[] header = sealer.open(ObjectKind.PACK_HEADER, bytes, n - 8 - headerLength, headerLength, new byte[0]);
        ByteBuffer h = ByteBuffer.wrap(header);
        byte[] magic = new byte[4];
        h.get(magic);
        if (!Arrays.equals(magic, PackWriter.HEADER_MAGIC)) {
            throw new DamagedObjectException("pack header has an unknown format");
        }
        int count = h.getInt();
        if (count < 0 || header.length != 8 + (long) count * PackWriter.ENTRY) {
            throw new DamagedObjectException("pack header is damaged");
        }
        List<PackedBlob> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            BlobType type = BlobType.of(h.get());
            byte[] idBytes = new byte[ChunkId.BYTES];
            h.get(idBytes);
            out.add(new PackedBlob(ChunkId.of(idBytes, 0), type, id, h.getInt(), h.getInt(), h.getInt()));
        }
        return out;
    }
}
