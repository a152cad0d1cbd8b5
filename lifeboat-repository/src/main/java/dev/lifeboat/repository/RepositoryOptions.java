package dev.lifeboat.repository;

import dev.lifeboat.core.plan.Compression;
import dev.lifeboat.repository.crypto.KdfParams;
import java.util.Optional;

/**
 * Settings for a new repository.
 *
 * @param encrypted   AES-256-GCM on every object (default); off only when asked explicitly
 * @param compression compression algorithm and level for new objects
 * @param packSize    target pack size in bytes (default 16 MiB)
 * @param kdf         key derivation override (tests use cheap parameters); empty: the credential's default
 */
public record RepositoryOptions(boolean encrypted, Compression compression, int packSize, Optional<KdfParams> kdf) {
    public static final int DEFAULT_PACK_SIZE = 16 * 1024 * 1024;

    public static RepositoryOptions defaults() {
        return new RepositoryOptions(true, new Compression(Compression.Algorithm.ZSTD, 3), DEFAULT_PACK_SIZE, Optional.empty());
    }

    public RepositoryOptions withEncryption(boolean on) {
        return new RepositoryOptions(on, compression, packSize, kdf);
    }

    public RepositoryOptions withCompression(Compression c) {
        return new RepositoryOptions(encrypted, c, packSize, kdf);
    }

    public RepositoryOptions withPackSize(int bytes) {
        return new RepositoryOptions(encrypted, compression, bytes, kdf);
    }

    public RepositoryOptions withKdf(KdfParams params) {
        return new RepositoryOptions(encrypted, compression, packSize, Optional.of(params));
    }
}
