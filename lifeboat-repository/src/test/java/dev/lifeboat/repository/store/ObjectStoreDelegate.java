package dev.lifeboat.repository.store;

import java.util.List;
import java.util.Optional;

/** Passes every call to another store; tests override what they watch or change (unit tests only). */
public class ObjectStoreDelegate implements ObjectStore {
    private final ObjectStore inner;

    public ObjectStoreDelegate(ObjectStore inner) {
        this.inner = inner;
    }

    @Override
    public void put(String name, byte[] data) {
        inner.put(name, data);
    }

    @Override
    public void put(String name, byte[] data, int offset, int length) {
        inner.put(name, data, offset, length);
    }

    @Override
    public boolean putIfAbsent(String name, byte[] data) {
        return inner.putIfAbsent(name, data);
    }

    @Override
    public byte[] get(String name) {
        return inner.get(name);
    }

    @Override
    public byte[] get(String name, long offset, int length) {
        return inner.get(name, offset, length);
    }

    @Override
    public Optional<ObjectInfo> stat(String name) {
        return inner.stat(name);
    }

    @Override
    public boolean certainlyAbsent(String name) {
        return inner.certainlyAbsent(name);
    }

    @Override
    public boolean awaitCopies(long millis) {
        return inner.awaitCopies(millis);
    }

    @Override
    public boolean awaitQueuedCopies(long millis) {
        return inner.awaitQueuedCopies(millis);
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        return inner.list(prefix);
    }

    @Override
    public void delete(String name) {
        inner.delete(name);
    }

    @Override
    public Leftovers leftovers(java.time.Instant before) {
        return inner.leftovers(before);
    }

    @Override
    public Leftovers removeLeftovers(java.time.Instant before) {
        return inner.removeLeftovers(before);
    }

    @Override
    public StoreFeatures features() {
        return inner.features();
    }

    @Override
    public String location() {
        return inner.location();
    }
}
