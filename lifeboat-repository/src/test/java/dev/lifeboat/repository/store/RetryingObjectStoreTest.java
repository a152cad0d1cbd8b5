package dev.lifeboat.repository.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetryingObjectStoreTest {
    @TempDir
    Path dir;

    /** Stores the object, then loses the answer once (a socket timeout after the server committed). */
    private static final class LostAnswer extends ObjectStoreDelegate {
        final AtomicBoolean lose = new AtomicBoolean(true);

        LostAnswer(ObjectStore inner) {
            super(inner);
        }

        @Override
        public boolean putIfAbsent(String name, byte[] data) {
            boolean created = super.putIfAbsent(name, data);
            if (lose.getAndSet(false)) {
                throw new StoreException(StoreException.Kind.RETRYABLE, name, "read timed out", null);
            }
            return created;
        }
    }

    @Test
    void aConditionalPutWhoseAnswerWasLostIsNotTakenForSomebodyElsesObject() {
        LostAnswer flaky = new LostAnswer(new FilesystemObjectStore(dir.resolve("s")));
        RetryingObjectStore store = new RetryingObjectStore(flaky, 3, Duration.ofMillis(1));
        assertThat(store.putIfAbsent("config", new byte[] {1, 2, 3})).as("our own write, committed before the answer was lost").isTrue();

        flaky.lose.set(true);
        FilesystemObjectStore plain = new FilesystemObjectStore(dir.resolve("s"));
        plain.put("other", new byte[] {9});
        assertThat(store.putIfAbsent("other", new byte[] {1})).as("somebody else's object stays a conflict").isFalse();
    }

    @Test
    void aConditionalPutWhoseOwnerCannotBeToldFailsInsteadOfClaimingALostRace() {
        LostAnswer flaky = new LostAnswer(new ObjectStoreDelegate(new FilesystemObjectStore(dir.resolve("t"))) {
            @Override
            public byte[] get(String name) {
                throw new StoreException(StoreException.Kind.PERMANENT, name, "access denied", null);
            }
        });
        RetryingObjectStore store = new RetryingObjectStore(flaky, 3, Duration.ofMillis(1));
        // Our write went through, the answer was lost, and reading it back is refused: "somebody else's" (which made
        // repo init say the repository exists) would be a guess.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.putIfAbsent("config", new byte[] {1}))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.PERMANENT));
    }

    @Test
    void aPatientStoreRidesOutAboutSixteenSecondsOfOutageAndABriefOneAboutOneAndAHalf() {
        for (boolean patient : new boolean[] {true, false}) {
            java.util.concurrent.atomic.AtomicInteger tries = new java.util.concurrent.atomic.AtomicInteger();
            ObjectStore down = new ObjectStoreDelegate(new FilesystemObjectStore(dir.resolve("down"))) {
                @Override
                public byte[] get(String name) {
                    tries.incrementAndGet();
                    throw new StoreException(StoreException.Kind.RETRYABLE, name, "connection refused", null);
                }
            };
            long[] waited = {0};
            RetryingObjectStore rules = patient ? RetryingObjectStore.patient(down) : RetryingObjectStore.brief(down);
            RetryingObjectStore store = rules.around(down, ms -> waited[0] += ms);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.get("config")).isInstanceOf(StoreException.class);
            if (patient) {
                assertThat(tries.get()).isEqualTo(7);
                // 0.25 + 0.5 + 1 + 2 + 4 + 8 s, each between half and one and a half times.
                assertThat(waited[0]).isBetween(7_800L, 23_700L);
            } else {
                assertThat(tries.get()).isEqualTo(4);
                assertThat(waited[0]).isBetween(700L, 2_100L);
            }
        }
    }
}
