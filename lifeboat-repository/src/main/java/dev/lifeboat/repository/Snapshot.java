package dev.lifeboat.repository;

import java.time.Instant;

/** A snapshot: its id (the SHA-256 of its manifest object) and its manifest. */
public record Snapshot(String id, SnapshotManifest manifest) {
    public String shortId() {
        return id.substring(0, 8);
    }

    public Instant time() {
        return Instant.parse(manifest.time());
    }

    public String objectName() {
        return Layout.SNAPSHOTS + id;
    }
}
