package dev.lifeboat.redis.warm;

/** Keeps a loop at or under a number of keys per second by sleeping after each batch; 0 means no limit. */
public final class RateLimiter {
    private final double perSecond;
    private final long start = System.nanoTime();
    private long done;

    public RateLimiter(double perSecond) {
        this.perSecond = perSecond;
    }

    public void acquired(long keys) {
        done += keys;
        if (perSecond <= 0) {
            return;
        }
        long dueNanos = (long) (done / perSecond * 1e9);
        long ahead = dueNanos - (System.nanoTime() - start);
        if (ahead > 0) {
            try {
                Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
