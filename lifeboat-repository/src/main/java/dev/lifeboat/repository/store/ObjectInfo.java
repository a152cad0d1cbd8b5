package dev.lifeboat.repository.store;

import java.time.Instant;

/** An object's name, size in bytes and last modification time. */
public record ObjectInfo(String name, long size, Instant modified) {
}
