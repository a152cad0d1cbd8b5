package dev.lifeboat.core.plan;

/** How chunks are compressed before encryption. */
public record Compression(Algorithm algorithm, int level) {
    public enum Algorithm {
        ZSTD, LZ4, NONE
    }
}
