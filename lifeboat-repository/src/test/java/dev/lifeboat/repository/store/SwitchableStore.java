package dev.lifeboat.repository.store;

import java.util.List;
import java.util.Optional;

/** A store that can be taken down: while down every call fails as an unreachable service would (unit tests only). */
public final class SwitchableStore implements ObjectStore {
    private final ObjectStore inner;
    private volatile boolean down;

    public SwitchableStore(ObjectStore inner) {
        this.inner = inner;
    }

    public void down() {
        down = true;
    }

    public void up() {
        down = false;
    }

    private void check(String name) {
        if (down) {
            throw new StoreException(StoreException.Kind.RETRYABLE, name, inner.location() + " is unreachable (connection refused)", null);
        }
    }

    @Override
    public void put(String name, byte[] data) {
        check(name);
        inner.put(name, data);
    }

    @Override
    public boolean putIfAbsent(String name, byte[] data) {
        check(name);
        return inner.putIfAbsent(name, data);
    }

    @Override
    public byte[] get(String name) {
        check(name);
        return inner.get(name);
    }

    @Override
    public byte[] get(String name, long offset, int length) {
        check(name);
        return inner.get(name, offset, length);
    }

    @Override
    public Optional<ObjectInfo> stat(String name) {
        check(name);
        return inner.stat(name);
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        check(prefix);
        return inner.list(prefix);
    }

    @Override
    public void delete(String name) {
        check(name);
        inner.delete(name);
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
