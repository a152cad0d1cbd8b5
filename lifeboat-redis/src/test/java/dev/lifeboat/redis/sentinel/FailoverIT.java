package dev.lifeboat.redis.sentinel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Endpoint;
import dev.lifeboat.redis.RedisTarget;
import dev.lifeboat.testkit.RedisHarness;
import dev.lifeboat.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Sentinel failover to a chosen replica under a steady writer, with one of three Sentinels lost: writes resume and no
 * acknowledged write is lost.
 */
class FailoverIT {
    @Test
    void aFencedFailoverUnderASteadyWriterLosesNoAcknowledgedWrite() throws Exception {
        try (RedisHarness redis = RedisHarness.builder().name("failover-it").replicas(2).sentinels(3).start()) {
            List<Endpoint> sentinelNodes = redis.sentinels().stream().map(s -> new Endpoint(s.host(), s.port())).toList();
            SentinelGroup group = new SentinelGroup(sentinelNodes, RedisHarness.MASTER_NAME);
            RedisServer chosen = redis.replica(1);
            Endpoint to = new Endpoint(chosen.host(), chosen.port());

            ConcurrentLinkedQueue<long[]> acknowledged = new ConcurrentLinkedQueue<>();
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = new Thread(() -> write(group, writing, acknowledged), "ledger-writer");
            writer.start();
            Thread.sleep(700);

            RedisHealth.Report before = RedisHealth.check(RedisTarget.of(redis.primary().host(), redis.primary().port()), Optional.of(group));
            assertThat(before.healthy()).as(before.problems().toString()).isTrue();
            assertThat(before.replicas()).hasSize(2);

            // One Sentinel is lost with its node: the two left are a majority, and a failover must complete, not
            // wait for the lost one to agree.
            redis.sentinels().get(2).crash();

            // A master that answers but refuses the pause (here an ACL user without CLIENT PAUSE) stops the failover
            // before anything changed: unfenced, the promoted replica could lack acknowledged writes.
            try (Jedis m = redis.primary().client()) {
                m.aclSetUser("lb-nopause", "on", ">pw", "~*", "&*", "+@all", "-client|pause");
            }
            List<String> refusedTimeline = new ArrayList<>();
            Failover refused = new Failover(group, new RedisTarget(new Endpoint("127.0.0.1", 1), Optional.of("lb-nopause"), Optional.of("pw")),
                    refusedTimeline::add);
            assertThatThrownBy(() -> refused.run(refused.plan(Optional.empty()), Duration.ofSeconds(30)))
                    .isInstanceOfSatisfying(LifeboatException.class, e -> assertThat(e.getMessage()).contains("refused CLIENT PAUSE WRITE",
                            "nothing was failed over"));
            assertThat(group.agreedMaster()).contains(new Endpoint(redis.primary().host(), redis.primary().port()));

            List<String> timeline = new ArrayList<>();
            Failover failover = new Failover(group, RedisTarget.of("127.0.0.1", 1), timeline::add);
            Failover.Plan plan = failover.plan(Optional.of(to));
            assertThat(plan.master()).isEqualTo(new Endpoint(redis.primary().host(), redis.primary().port()));
            Failover.Result result = failover.run(plan, Duration.ofSeconds(30));
            Thread.sleep(700);
            writing.set(false);
            writer.join();

            assertThat(result.newMaster()).isEqualTo(to);
            assertThat(result.fenced()).isTrue();
            assertThat(result.writableMillis()).isPositive().isLessThan(30_000);
            assertThat(timeline).anyMatch(t -> t.contains("paused writes"));
            assertThat(timeline).anyMatch(t -> t.contains("until every Sentinel saw it"));
            long before0 = acknowledged.stream().filter(a -> a[1] < System.currentTimeMillis()).count();
            assertThat(before0).isGreaterThan(50);
            try (Jedis m = chosen.client()) {
                List<Long> missing = acknowledged.stream().map(a -> a[0]).filter(n -> m.get("ledger:" + n) == null).toList();
                assertThat(missing).as("acknowledged writes missing on the new master").isEmpty();
            }
            RedisHealth.Report after = RedisHealth.check(RedisTarget.of(redis.primary().host(), redis.primary().port()), Optional.of(group));
            assertThat(after.master()).isEqualTo(to);
            // The writer resumed on the new master after the switch.
            assertThat(acknowledged.stream().mapToLong(a -> a[1]).max().getAsLong()).isGreaterThan(System.currentTimeMillis() - 2000);
            System.out.printf("failover: sentinels agreed after %d ms, writable after %d ms%n", result.sentinelsAgreedMillis(), result.writableMillis());
        }
    }

    /** Writes ledger:N through whatever master the Sentinels name, recording each acknowledged N with its time. */
    private static void write(SentinelGroup group, AtomicBoolean writing, ConcurrentLinkedQueue<long[]> acknowledged) {
        long n = 0;
        Jedis j = null;
        while (writing.get()) {
            try {
                if (j == null) {
                    Endpoint m = group.agreedMaster().orElse(null);
                    if (m == null) {
                        Thread.sleep(20);
                        continue;
                    }
                    j = new Jedis(m.host(), m.port(), 2000);
                }
                n++;
                j.set("ledger:" + n, "v");
                acknowledged.add(new long[] {n, System.currentTimeMillis()});
                Thread.sleep(2);
            } catch (Exception e) {
                if (j != null) {
                    j.close();
                }
                j = null;
            }
        }
        if (j != null) {
            j.close();
        }
    }
}
