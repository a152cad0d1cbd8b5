package dev.lifeboat.repository.store;

import java.util.List;
import java.util.Optional;

/** A store that can be taken down: while down every call fails as an unreachable service would (unit tests only). */
public final class SwitchableStore extends ObjectStoreDelegate {
    private final String location;
    private volatile boolean down;

    public SwitchableStore(ObjectStore inner) {
        super(inner);
        this.location = inner.location();
    }

    public void down() {
        down = true;
    }

    public void up() {
        down = false;
    }

    private void check(String name) {
        if (down) {
            throw new StoreException(StoreException.Kind.RETRYABLE, name, location + " is unreachable (connection refused)", null);
        }
    }

    @Override
    public void put(String name, byte[] data) {
        check(name);
        super.put(name, data);
    }

    @Override
    public void put(String name, byte[] data, int offset, int length) {
        check(name);
        super.put(name, data, offset, length);
    }

    @Override
    public boolean putIfAbsent(String name, byte[] data) {
        check(name);
        return super.putIfAbsent(name, data);
    }

    @Override
    public byte[] get(String name) {
        check(name);
        return super.get(name);
    }

    @Override
    public byte[] get(String name, long offset, int length) {
        check(name);
        return super.get(name, offset, length);
    }

    @Override
    public Optional<ObjectInfo> stat(String name) {
        check(name);
        return super.stat(name);
    }

    @Override
    public boolean certainlyAbsent(String name) {
        check(name);
        return super.certainlyAbsent(name);
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        check(prefix);
        return super.list(prefix);
    }

    @Override
    public void delete(String name) {
        check(name);
        super.delete(name);
    }
}
