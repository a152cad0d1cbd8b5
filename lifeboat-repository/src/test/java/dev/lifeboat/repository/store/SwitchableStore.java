package dev.lifeboat.repository.store;

import java.util.List;
import java.util.Optional;

/**
 * A store that can be taken down: while down every call fails as an unreachable service would; with writes refused
 * only writes fail (a full bucket, an upload path that times out), so deletes and reads still work (unit tests only).
 */
public final class SwitchableStore extends ObjectStoreDelegate {
    private final String location;
    private volatile boolean down;
    private volatile boolean refuseWrites;
    private volatile String refuseDeletes;
    private volatile String refuseWritesOf;

    public SwitchableStore(ObjectStore inner) {
        super(inner);
        this.location = inner.location();
    }

    public void down() {
        down = true;
    }

    public void up() {
        down = false;
        refuseWrites = false;
        refuseDeletes = null;
        refuseWritesOf = null;
    }

    /** Writes of names starting with {@code prefix} time out; everything else works. */
    public void refuseWritesOf(String prefix) {
        refuseWritesOf = prefix;
    }

    /** Deletes of names starting with {@code prefix} time out; everything else works. */
    public void refuseDeletes(String prefix) {
        refuseDeletes = prefix;
    }

    public void refuseWrites() {
        refuseWrites = true;
    }

    private void checkWrite(String name) {
        check(name);
        if (refuseWrites || refuseWritesOf != null && name.startsWith(refuseWritesOf)) {
            throw new StoreException(StoreException.Kind.RETRYABLE, name, location + " did not take the upload (timed out)", null);
        }
    }

    private void check(String name) {
        if (down) {
            throw new StoreException(StoreException.Kind.RETRYABLE, name, location + " is unreachable (connection refused)", null);
        }
    }

    @Override
    public void put(String name, byte[] data) {
        checkWrite(name);
        super.put(name, data);
    }

    @Override
    public void put(String name, byte[] data, int offset, int length) {
        checkWrite(name);
        super.put(name, data, offset, length);
    }

    @Override
    public boolean putIfAbsent(String name, byte[] data) {
        checkWrite(name);
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
    public Leftovers leftovers(java.time.Instant before) {
        check("(leftovers)");
        return super.leftovers(before);
    }

    @Override
    public Leftovers removeLeftovers(java.time.Instant before) {
        check("(leftovers)");
        return super.removeLeftovers(before);
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
        if (refuseDeletes != null && name.startsWith(refuseDeletes)) {
            throw new StoreException(StoreException.Kind.RETRYABLE, name, location + " did not answer the delete (timed out)", null);
        }
        super.delete(name);
    }
}
