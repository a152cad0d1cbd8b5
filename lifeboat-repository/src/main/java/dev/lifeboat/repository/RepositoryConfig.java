package dev.lifeboat.repository;

import dev.lifeboat.core.plan.Compression;

/**
 * The {@code config} object, written once at init.
 *
 * @param format      repository format version (1)
 * @param id          random repository id
 * @param created     ISO-8601 creation time
 * @param encryption  {@code aes-256-gcm} or {@code none}
 * @param compression compression of new objects
 * @param level       compression level
 * @param packSize    target pack size in bytes
 */
public record RepositoryConfig(int format, String id, String created, String encryption, Compression.Algorithm compression,
                               int level, int packSize) {
    public static final int FORMAT = 1;
    public static final String AES_256_GCM = "aes-256-gcm";
    public static final String NONE = "none";

    public boolean encrypted() {
        return AES_256_GCM.equals(encryption);
    }
}
