package dev.lifeboat.repository.store;

/**
 * What a store offers beyond the {@link ObjectStore} contract.
 *
 * @param atomicConditionalPut {@link ObjectStore#putIfAbsent} is atomic against racing writers
 * @param versioning           the store keeps previous versions of overwritten or deleted objects
 * @param objectLock           objects can be made immutable for a retention period (WORM)
 */
public record StoreFeatures(boolean atomicConditionalPut, boolean versioning, boolean objectLock) {
}
