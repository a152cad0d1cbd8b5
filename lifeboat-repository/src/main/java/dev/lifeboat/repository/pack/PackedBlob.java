package dev.lifeboat.repository.pack;

import dev.lifeboat.repository.chunk.ChunkId;

/**
 * Where a blob is stored: which pack, at which offset, how long its sealed form is, and its plaintext length.
 * Pack ids are interned so that millions of entries share a few thousand strings.
 */
public record PackedBlob(ChunkId id, BlobType type, String pack, int offset, int length, int plainLength) {
}
