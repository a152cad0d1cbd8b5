package dev.lifeboat.core.plan;

/** The object stores Lifeboat reads and writes. GCS is reached through its S3-compatible XML API. */
public enum StoreType {
    FILESYSTEM, S3, AZURE, GCS
}
