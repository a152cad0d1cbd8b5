package dev.lifeboat.postgres.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.postgres.backup.PostgresTarget;
import dev.lifeboat.testkit.FreePort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** An outage counts from its start: reconnection attempts that fail do not reset the lag or claim streaming. */
class StreamSupervisorTest {
    @Test
    void theLagGrowsThroughFailedReconnectionAttempts() throws Exception {
        // Nothing listens on this port: every receiver fails before it ever streams.
        PostgresTarget nowhere = new PostgresTarget("jdbc:postgresql://127.0.0.1:" + FreePort.pick() + "/postgres?connectTimeout=1",
                "postgres", Optional.empty(), Path.of("."));
        AtomicBoolean stop = new AtomicBoolean();
        List<String> events = new CopyOnWriteArrayList<>();
        StreamSupervisor s = new StreamSupervisor("app-db", () -> new WalReceiver(nowhere, "lifeboat_app_db", null, Duration.ofSeconds(1)),
                stop, events::add);
        Thread t = new Thread(s, "supervisor-under-test");
        long started = System.currentTimeMillis();
        t.start();
        try {
            while (events.stream().filter(e -> e.contains("streaming stopped")).count() < 2 && System.currentTimeMillis() - started < 20_000) {
                Thread.sleep(50);
            }
            assertThat(events.stream().filter(e -> e.contains("streaming stopped")).count()).as("two failed attempts").isGreaterThanOrEqualTo(2);
            Thread.sleep(300);
            long now = System.currentTimeMillis();
            assertThat(s.streaming()).isFalse();
            // The first attempt failed right away and the second after the 1 s backoff: the lag counts from the first.
            assertThat(s.rpoLagMillis(now)).isGreaterThanOrEqualTo(1_200).isLessThanOrEqualTo(now - started);
            assertThat(s.status()).contains("retrying");
        } finally {
            stop.set(true);
            t.join(10_000);
        }
    }
}
