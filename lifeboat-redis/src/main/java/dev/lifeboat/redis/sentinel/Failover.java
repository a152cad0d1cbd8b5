package dev.lifeboat.redis.sentinel;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Endpoint;
import dev.lifeboat.redis.RedisTarget;
import dev.lifeboat.redis.ServerInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientPauseMode;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * A Sentinel failover that loses no acknowledged write while the old master is reachable (a fenced switchover):
 * <ol>
 *   <li>the Sentinels must agree on the current master and pass {@code CKQUORUM};</li>
 *   <li>with a chosen replica, every other replica's {@code replica-priority} is set to 0 for the duration, so
 *       Sentinel can only elect that one (the old priorities are put back afterwards), and Lifeboat waits until
 *       every Sentinel has read the new priorities;</li>
 *   <li>the old master's writes are paused ({@code CLIENT PAUSE timeout WRITE}) and Lifeboat waits until the
 *       replica to be promoted has the master's whole replication offset, so nothing acknowledged is missing;</li>
 *   <li>{@code SENTINEL FAILOVER}; then wait until every Sentinel names the new master and it accepts a write;</li>
 *   <li>the old master is made a replica of the new one if Sentinel has not done it yet, and only then unpaused,
 *       so writes that waited on it fail with READONLY and clients retry on the new master; if a step after
 *       {@code SENTINEL FAILOVER} fails, it stays paused unless it can follow the master the Sentinels agree on.</li>
 * </ol>
 * A master that answers but refuses the pause (Redis before 6.2, an ACL without {@code CLIENT PAUSE}) stops the
 * failover before anything changes.
 * If the old master is down, the pause and catch-up steps are skipped and the report says so: writes not yet
 * replicated at the crash may be lost, which is Redis's asynchronous replication, not something a tool can undo.
 * The pause expires by itself after the timeout, so a Lifeboat that dies half-way never leaves writes blocked.
 */
public final class Failover {
    private final SentinelGroup sentinels;
    private final RedisTarget credentials;
    private final Consumer<String> timeline;

    /** The old master's write pause lasts this many --timeouts (and 5 s): catch-up, promotion, the first write. */
    static final int PAUSE_TIMEOUTS = 3;

    public Failover(SentinelGroup sentinels, RedisTarget credentials, Consumer<String> timeline) {
        this.sentinels = sentinels;
        this.credentials = credentials;
        this.timeline = timeline;
    }

    /** What happened, with times in milliseconds from the start of the switch. */
    public record Result(Endpoint oldMaster, Endpoint newMaster, boolean fenced, long caughtUpOffset, long sentinelsAgreedMillis,
                         long writableMillis, long totalMillis, Map<String, Long> phases) {
    }

    /**
     * What would be done, without doing it. {@code lagBytes} is each candidate's lag behind the master, or, when the
     * master does not answer ({@code masterAnswers} false), behind the most up-to-date candidate; -1 for one that
     * does not answer either.
     */
    public record Plan(Endpoint master, List<Endpoint> candidates, Optional<Endpoint> chosen, Map<Endpoint, String> quorum,
                       Map<Endpoint, Long> lagBytes, boolean masterAnswers) {
    }

    public Plan plan(Optional<Endpoint> to) {
        Endpoint master = sentinels.agreedMaster().orElseThrow(() -> new LifeboatException(ErrorCode.FAILOVER_FAILED,
                "the Sentinels do not agree on a master for " + sentinels.masterName() + ": " + sentinels.masterViews(), null));
        Map<Endpoint, String> quorum = sentinels.quorum();
        List<Endpoint> candidates = new ArrayList<>();
        for (Map<String, String> r : sentinels.replicas()) {
            String flags = r.getOrDefault("flags", "");
            if (!flags.contains("s_down") && !flags.contains("disconnected")) {
                candidates.add(new Endpoint(r.get("ip"), Integer.parseInt(r.get("port"))));
            }
        }
        if (to.isPresent() && !candidates.contains(to.get())) {
            throw new LifeboatException(ErrorCode.FAILOVER_FAILED, to.get() + " is not a healthy replica of " + master + " (healthy: " + candidates + ")",
                    "Name one of the replicas Sentinel reports, or leave --to out to let Sentinel choose.");
        }
        if (candidates.isEmpty()) {
            throw new LifeboatException(ErrorCode.FAILOVER_FAILED, "no healthy replica to promote for " + sentinels.masterName(), null);
        }
        Map<Endpoint, Long> offsets = new LinkedHashMap<>();
        for (Endpoint c : candidates) {
            try (Jedis r = credentials.at(c).connect()) {
                offsets.put(c, ServerInfo.of(r, "replication").number("slave_repl_offset"));
            } catch (LifeboatException | JedisException e) {
                offsets.put(c, -1L);
            }
        }
        OptionalLong masterOffset;
        try (Jedis m = credentials.at(master).connect()) {
            masterOffset = OptionalLong.of(ServerInfo.of(m, "replication").number("master_repl_offset"));
        } catch (LifeboatException | JedisException e) {
            masterOffset = OptionalLong.empty();
        }
        // With the master gone, the replicas' own offsets say which one holds the most writes.
        long reference = masterOffset.orElse(offsets.values().stream().mapToLong(Long::longValue).max().orElse(-1));
        Map<Endpoint, Long> lag = new LinkedHashMap<>();
        offsets.forEach((c, o) -> lag.put(c, o < 0 ? -1L : Math.max(0, reference - o)));
        if (masterOffset.isEmpty() && to.isPresent() && lag.get(to.get()) != 0) {
            Endpoint best = offsets.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            throw new LifeboatException(ErrorCode.FAILOVER_FAILED, "the master " + master + " does not answer and " + to.get()
                    + (lag.get(to.get()) < 0 ? " does not answer either" : " is " + lag.get(to.get()) + " bytes behind " + best)
                    + ": promoting it would lose writes another replica holds", "Leave --to out (Sentinel elects the most up-to-date "
                    + "replica), or name " + best + ".");
        }
        return new Plan(master, candidates, to, quorum, lag, masterOffset.isPresent());
    }

    public Result run(Plan plan, Duration timeout) {
        long t0 = System.nanoTime();
        Map<String, Long> phases = new LinkedHashMap<>();
        Endpoint old = plan.master();
        boolean quorumOk = plan.quorum().values().stream().anyMatch(v -> v.startsWith("OK"));
        if (!quorumOk) {
            throw new LifeboatException(ErrorCode.FAILOVER_FAILED, "no Sentinel reaches its quorum: " + plan.quorum(), null);
        }
        Map<Endpoint, String> priorities = new LinkedHashMap<>();
        Optional<Jedis> fence = Optional.empty();
        long caughtUp = -1;
        boolean started = false;
        try {
            if (plan.chosen().isPresent()) {
                for (Endpoint c : plan.candidates()) {
                    if (!c.equals(plan.chosen().get())) {
                        try (Jedis r = credentials.at(c).connect()) {
                            priorities.put(c, r.configGet("replica-priority").get("replica-priority"));
                            r.configSet("replica-priority", "0");
                        }
                    }
                }
                long w0 = System.nanoTime();
                sentinels.awaitReplicaPriority(priorities.keySet(), "0", timeout);
                timeline.accept("set replica-priority 0 on " + priorities.keySet() + " so Sentinel can only elect " + plan.chosen().get()
                        + ", and waited " + (System.nanoTime() - w0) / 1_000_000 + " ms until every Sentinel saw it (it reads replicas' INFO every 10 s)");
            }
            long offset = -1;
            Jedis m = null;
            try {
                m = credentials.at(old).connect();
            } catch (LifeboatException e) {
                if (e.getCause() instanceof JedisDataException refused) {
                    // It answers (a refused AUTH, still loading): it may be taking writes, so it is not failed over unfenced.
                    throw new LifeboatException(ErrorCode.FAILOVER_FAILED, "the old master " + old + " answers but refused Lifeboat ("
                            + refused.getMessage() + "), so its writes cannot be fenced and nothing was failed over", e.hint());
                }
                timeline.accept("the old master " + old + " does not answer, so writes cannot be fenced: writes it acknowledged but had not "
                        + "replicated are lost");
            }
            if (m != null) {
                try {
                    // Paused for every later step (catch-up, promotion, the first write, re-pointing the old master), so
                    // it cannot take writes again before it follows the new one; the finally below ends the pause early.
                    m.clientPause(PAUSE_TIMEOUTS * timeout.toMillis() + 5_000, ClientPauseMode.WRITE);
                } catch (JedisDataException e) {
                    // It answers but refuses (Redis before 6.2 has no WRITE pause; an ACL user may lack +client|pause):
                    // failing over unfenced would lose what the replica lacks, so nothing is changed.
                    closeQuietly(m);
                    throw new LifeboatException(ErrorCode.FAILOVER_FAILED, "the old master " + old + " refused CLIENT PAUSE WRITE (" + e.getMessage()
                            + "), so writes cannot be fenced and nothing was failed over", "Lifeboat needs Redis 6.2 or newer and a user allowed "
                            + "CLIENT PAUSE and CLIENT UNPAUSE; to fail over unfenced, stop the master first.");
                } catch (JedisException e) {
                    closeQuietly(m);
                    throw new LifeboatException(ErrorCode.FAILOVER_FAILED, "the old master " + old + " went away while being paused (" + e.getMessage()
                            + "); nothing was failed over", "Run the failover again: a master that is down is failed over unfenced.");
                }
                fence = Optional.of(m); // from here on, the finally below ends the pause, whatever fails
                offset = ServerInfo.of(m, "replication").number("master_repl_offset");
            }
            if (fence.isPresent()) {
                // A replica that does not catch up stops the failover here, before anything changed: promoting it
                // would lose the writes it lacks.
                List<Endpoint> mustCatchUp = plan.chosen().map(List::of).orElse(plan.candidates());
                awaitOffset(mustCatchUp, offset, timeout);
                caughtUp = offset;
                timeline.accept("paused writes on " + old + " and waited until " + mustCatchUp + " had its whole offset " + offset
                        + ", so no acknowledged write can be lost");
            }
            phases.put("fence", ms(t0));
            Endpoint by = sentinels.startFailover();
            started = true;
            timeline.accept("Sentinel " + by + " accepted SENTINEL FAILOVER " + sentinels.masterName());
            Endpoint now = awaitNewMaster(old, timeout);
            long agreed = ms(t0);
            phases.put("promote", agreed - phases.get("fence"));
            awaitWritable(now, timeout);
            long writable = ms(t0);
            phases.put("writable", writable - agreed);
            if (plan.chosen().isPresent() && !plan.chosen().get().equals(now)) {
                throw new LifeboatException(ErrorCode.FAILOVER_FAILED, "Sentinel promoted " + now + ", not " + plan.chosen().get(), null);
            }
            return new Result(old, now, fence.isPresent(), caughtUp, agreed, writable, ms(t0), phases);
        } finally {
            try {
                if (fence.isPresent()) {
                    release(fence.get(), old, started);
                }
            } finally {
                restorePriorities(priorities);
            }
        }
    }

    /** Puts back the replicas' own priorities; one that cannot be reached is named, not thrown. */
    private void restorePriorities(Map<Endpoint, String> priorities) {
        for (Map.Entry<Endpoint, String> p : priorities.entrySet()) {
            try (Jedis r = credentials.at(p.getKey()).connect()) {
                r.configSet("replica-priority", p.getValue());
            } catch (RuntimeException e) {
                timeline.accept("could not restore replica-priority " + p.getValue() + " on " + p.getKey() + ": " + e.getMessage());
            }
        }
    }

    /**
     * Ends the old master's pause. Before the failover started, nothing changed and it is simply unpaused. After, a
     * failed step (a timeout, another replica elected) may have left it a master while the Sentinels name another:
     * unpaused, it would take writes that the new master never sees (and that are discarded when Sentinel demotes
     * it). So it is first made a replica of the master the Sentinels agree on, or else left paused until the pause ends.
     */
    private void release(Jedis m, Endpoint old, boolean started) {
        try {
            if (started && ServerInfo.of(m, "replication").isMaster()) {
                Optional<Endpoint> agreed = sentinels.agreedMaster().filter(a -> !a.equals(old));
                if (agreed.isEmpty()) {
                    timeline.accept("left the old master " + old + " paused: the Sentinels name no other master yet, and unpaused it would take "
                            + "writes a new master never sees; the pause ends by itself");
                    return;
                }
                m.replicaof(agreed.get().host(), agreed.get().port());
                timeline.accept("made the old master " + old + " a replica of " + agreed.get() + " before unpausing it");
            }
            m.clientUnpause();
        } catch (RuntimeException e) {
            timeline.accept("could not end the pause on " + old + " (" + e.getMessage() + "): it ends by itself at its timeout");
        } finally {
            closeQuietly(m);
        }
    }

    /** Closing flushes what is buffered, which fails on a connection the server dropped: nothing to report then. */
    private static void closeQuietly(Jedis j) {
        try {
            j.close();
        } catch (RuntimeException e) {
            // the connection is gone either way
        }
    }

    private void awaitOffset(List<Endpoint> replicas, long offset, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Endpoint r : replicas) {
            try (Jedis j = credentials.at(r).connect()) {
                while (ServerInfo.of(j, "replication").number("slave_repl_offset") < offset) {
                    if (System.nanoTime() > deadline) {
                        throw new LifeboatException(ErrorCode.FAILOVER_FAILED, r + " did not reach the master's offset " + offset + " within " + timeout
                                + ", so nothing was failed over (promoting it would lose the writes it lacks); the master's writes are unpaused",
                                "Check the replica's link (INFO replication on it), or give more --timeout.");
                    }
                    sleep(5);
                }
            }
        }
    }

    private Endpoint awaitNewMaster(Endpoint old, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Endpoint> agreed = sentinels.agreedMaster();
            // Every Sentinel that answers, and a majority of all, name the new master (agreedMaster): one Sentinel
            // lost with its node must not turn a completed failover into a failure.
            if (agreed.isPresent() && !agreed.get().equals(old)) {
                return agreed.get();
            }
            sleep(50);
        }
        throw new LifeboatException(ErrorCode.FAILOVER_FAILED, "the Sentinels did not agree on a new master within " + timeout + ": "
                + sentinels.masterViews(), null);
    }

    private void awaitWritable(Endpoint m, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Jedis j = credentials.at(m).connect()) {
                j.set("lifeboat:failover:probe", Long.toString(System.currentTimeMillis()), SetParams.setParams().px(60_000));
                return;
            } catch (JedisException | LifeboatException e) {
                if (System.nanoTime() > deadline) {
                    throw new LifeboatException(ErrorCode.FAILOVER_FAILED, "the new master " + m + " did not accept a write within " + timeout
                            + ": " + e.getMessage(), null);
                }
                sleep(20);
            }
        }
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted during the failover", null, e);
        }
    }
}
