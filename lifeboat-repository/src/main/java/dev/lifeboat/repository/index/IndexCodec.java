package dev.lifeboat.repository.index;

import dev.lifeboat.repository.chunk.ChunkId;
import dev.lifeboat.repository.codec.DamagedObjectException;
import dev.lifeboat.repository.pack.BlobType;
import dev.lifeboat.repository.pack.PackedBlob;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plaintext of an {@code index/<sha256>} object (sealed as kind INDEX):
 *
 * <pre>
 * "LBI1" | pack count (4) | per pack: pack id (32 raw bytes) | blob count (4) |
 *                                     per blob: type (1) | chunk id (32) | offset (4) | length (4) | plain length (4)
 * </pre>
 */
public final class IndexCodec {
    private static final byte[] MAGIC = "LBI1".getBytes(StandardCharsets.US_ASCII);

    private IndexCodec() {
    }

    public static byte[] encode(List<PackedBlob> blobs) {
        Map<String, List<PackedBlob>> byPack = new LinkedHashMap<>();
        for (PackedBlob b : blobs) {
            byPack.computeIfAbsent(b.pack(), k -> new ArrayList<>()).add(b);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + blobs.size() * 45 + byPack.size() * 36);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeInt(byPack.size());
            for (Map.Entry<String, List<PackedBlob>> e : byPack.entrySet()) {
                out.write(HexFormat.of().parseHex(e.getKey()));
                out.writeInt(e.getValue().size());
                for (PackedBlob b : e.getValue()) {
                    out.writeByte(b.type().kind().code());
                    out.write(b.id().bytes());
                    out.writeInt(b.offset());
                    out.writeInt(b.length());
                    out.writeInt(b.plainLength());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static List<PackedBlob> decode(byte[] data) {
        try {
            ByteBuffer in = ByteBuffer.wrap(data);
            byte[] magic = new byte[4];
            in.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new DamagedObjectException("index has an unknown format");
            }
            int packs = in.getInt();
            List<PackedBlob> out = new ArrayList<>();
            byte[] raw = new byte[32];
            for (int p = 0; p < packs; p++) {
                in.get(raw);
                String pack = HexFormat.of().formatHex(raw).intern();
                int count = in.getInt();
                for (int i = 0; i < count; i++) {
                    BlobType type = BlobType.of(in.get());
                    in.get(raw);
                    out.add(new PackedBlob(ChunkId.of(raw, 0), type, pack, in.getInt(), in.getInt(), in.getInt()));
                }
            }
            if (in.hasRemaining()) {
                throw new DamagedObjectException("index has trailing bytes");
            }
            return out;
        } catch (BufferUnderflowException e) {
            throw new DamagedObjectException("index is truncated");
        }
    }
}
