package dev.lifeboat.testkit;

/** A JVM that starts a Redis server through the harness, says its PID and waits to be killed (see OrphanSweepIT). */
public final class OrphanFixture {
    private OrphanFixture() {
    }

    public static void main(String[] args) throws Exception {
        RedisHarness redis = RedisHarness.builder().name("orphan").start();
        System.out.println("ready " + redis.primary().pid());
        System.out.flush();
        Thread.sleep(120_000);
    }
}
