package dev.lifeboat.repository.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The {@link ObjectStore} contract, run against every implementation: a store module's test extends this class
 * and returns a fresh, empty store from {@link #store()}.
 */
public abstract class ObjectStoreContract {
    /** A fresh, empty store for one test. */
    protected abstract ObjectStore store();

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void putThenGetReturnsTheSameBytes() {
        ObjectStore s = store();
        byte[] big = random(5 * 1024 * 1024 + 17, 1);
        s.put("data/ab/big", big);
        s.put("config", bytes("{}"));
        s.put("empty", new byte[0]);
        assertThat(s.get("data/ab/big")).isEqualTo(big);
        assertThat(s.get("config")).isEqualTo(bytes("{}"));
        assertThat(s.get("empty")).isEmpty();
    }

    @Test
    void putOfARangeStoresThatRangeAndKeepsNoReferenceToTheBuffer() {
        ObjectStore s = store();
        for (int size : new int[] {10, 3 * 1024 * 1024 + 5}) {
            byte[] buffer = random(size + 100, 3);
            byte[] expected = java.util.Arrays.copyOfRange(buffer, 40, 40 + size);
            s.put("data/range-" + size, buffer, 40, size);
            java.util.Arrays.fill(buffer, (byte) 0x5a); // the caller reuses its buffer at once
            assertThat(s.get("data/range-" + size)).isEqualTo(expected);
        }
    }

    @Test
    void putReplacesAnExistingObject() {
        ObjectStore s = store();
        s.put("locks/a", bytes("one"));
        s.put("locks/a", bytes("two"));
        assertThat(s.get("locks/a")).isEqualTo(bytes("two"));
    }

    @Test
    void putIfAbsentKeepsTheFirstObject() {
        ObjectStore s = store();
        assertThat(s.putIfAbsent("config", bytes("first"))).isTrue();
        assertThat(s.putIfAbsent("config", bytes("second"))).isFalse();
        assertThat(s.get("config")).isEqualTo(bytes("first"));
    }

    @Test
    void racingPutIfAbsentHasOneWinnerWhenTheStoreSaysSo() throws Exception {
        ObjectStore s = store();
        if (!s.features().atomicConditionalPut()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            AtomicInteger wins = new AtomicInteger();
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                all.add(pool.submit(() -> {
                    if (s.putIfAbsent("race", bytes("writer-" + n))) {
                        wins.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
            assertThat(wins.get()).isEqualTo(1);
            assertThat(new String(s.get("race"), StandardCharsets.UTF_8)).startsWith("writer-");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void absentObjectIsNotFound() {
        ObjectStore s = store();
        assertThatThrownBy(() -> s.get("data/00/missing")).isInstanceOfSatisfying(StoreException.class,
                e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.NOT_FOUND));
        assertThatThrownBy(() -> s.get("data/00/missing", 0, 10)).isInstanceOfSatisfying(StoreException.class,
                e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.NOT_FOUND));
        assertThat(s.stat("data/00/missing")).isEmpty();
    }

    @Test
    void rangedGetReturnsTheRangeAndTruncatesAtTheEnd() {
        ObjectStore s = store();
        byte[] data = random(10_000, 2);
        s.put("data/cd/pack", data);
        assertThat(s.get("data/cd/pack", 100, 50)).isEqualTo(java.util.Arrays.copyOfRange(data, 100, 150));
        assertThat(s.get("data/cd/pack", 9_990, 50)).isEqualTo(java.util.Arrays.copyOfRange(data, 9_990, 10_000));
        assertThat(s.get("data/cd/pack", 10_000, 10)).isEmpty();
        assertThat(s.get("data/cd/pack", 0, 0)).isEmpty();
    }

    @Test
    void statGivesTheSize() {
        ObjectStore s = store();
        s.put("index/x", random(1234, 3));
        ObjectInfo info = s.stat("index/x").orElseThrow();
        assertThat(info.name()).isEqualTo("index/x");
        assertThat(info.size()).isEqualTo(1234);
        assertThat(info.modified()).isNotNull();
    }

    @Test
    void listFindsObjectsByPrefixOnly() {
        ObjectStore s = store();
        s.put("data/ab/one", bytes("1"));
        s.put("data/cd/two", bytes("22"));
        s.put("snapshots/three", bytes("333"));
        s.put("snapshotsx", bytes("4"));
        assertThat(s.list("data/")).extracting(ObjectInfo::name).containsExactlyInAnyOrder("data/ab/one", "data/cd/two");
        assertThat(s.list("data/ab/")).extracting(ObjectInfo::name).containsExactly("data/ab/one");
        assertThat(s.list("snapshots/")).extracting(ObjectInfo::name).containsExactly("snapshots/three");
        assertThat(s.list("")).hasSize(4);
        assertThat(s.list("data/cd/")).extracting(ObjectInfo::size).containsExactly(2L);
        assertThat(s.list("nothing/")).isEmpty();
    }

    @Test
    void deleteIsIdempotent() {
        ObjectStore s = store();
        s.put("locks/l", bytes("x"));
        s.delete("locks/l");
        s.delete("locks/l");
        assertThat(s.stat("locks/l")).isEmpty();
        assertThat(s.list("locks/")).isEmpty();
    }

    @Test
    void invalidNamesAreRefused() {
        ObjectStore s = store();
        for (String bad : new String[] {"../escape", "/absolute", "a/../b", "", "dir/"}) {
            assertThatThrownBy(() -> s.put(bad, bytes("x"))).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void concurrentWritersOfDifferentObjectsAreAllVisible() throws Exception {
        ObjectStore s = store();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                int n = i;
                tasks.add(() -> {
                    s.put("data/" + String.format("%02x", n % 4) + "/obj-" + n, random(1000 + n, n));
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(tasks)) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(s.list("data/")).hasSize(32);
        assertThat(s.get("data/03/obj-7")).isEqualTo(random(1007, 7));
    }
}
