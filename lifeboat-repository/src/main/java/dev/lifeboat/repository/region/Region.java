package dev.lifeboat.repository.region;

import dev.lifeboat.repository.store.ObjectStore;

/** One named copy of the repository on one store. */
public record Region(String name, ObjectStore store) {
}
