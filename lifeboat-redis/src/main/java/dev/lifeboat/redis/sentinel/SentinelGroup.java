package dev.lifeboat.redis.sentinel;

import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Endpoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The Sentinels that watch one master: asks each for the master's address, checks the quorum, and sends commands.
 * Sentinels are reached without the data password (Sentinel has its own, rarely set).
 */
public final class SentinelGroup {
    private final List<Endpoint> nodes;
    private final String masterName;

    public SentinelGroup(List<Endpoint> nodes, String masterName) {
        this.nodes = List.copyOf(nodes);
        this.masterName = masterName;
    }

    public String masterName() {
        return masterName;
    }

    public List<Endpoint> nodes() {
        return nodes;
    }

    /** Each Sentinel's answer to {@code get-master-addr-by-name}; empty for a Sentinel that does not answer. */
    public Map<Endpoint, Optional<Endpoint>> masterViews() {
        Map<Endpoint, Optional<Endpoint>> views = new LinkedHashMap<>();
        for (Endpoint n : nodes) {
            views.put(n, ask(n));
        }
        return views;
    }

    private Optional<Endpoint> ask(Endpoint n) {
        try (Jedis j = client(n)) {
            var hp = j.sentinelGetMasterAddrByName(masterName);
            return hp == null || hp.size() < 2 ? Optional.empty() : Optional.of(new Endpoint(hp.get(0), Integer.parseInt(hp.get(1))));
        } catch (JedisException | LifeboatException e) {
            return Optional.empty();
        }
    }

    /** The master every answering Sentinel agrees on, if they agree and a majority answered. */
    public Optional<Endpoint> agreedMaster() {
        List<Endpoint> answers = new ArrayList<>();
        masterViews().values().forEach(v -> v.ifPresent(answers::add));
        if (answers.size() <= nodes.size() / 2 || answers.stream().distinct().count() != 1) {
            return Optional.empty();
        }
        return Optional.of(answers.get(0));
    }

    /** Each Sentinel's {@code SENTINEL CKQUORUM} answer ("OK ..." or the error), by node. */
    public Map<Endpoint, String> quorum() {
        Map<Endpoint, String> out = new LinkedHashMap<>();
        for (Endpoint n : nodes) {
            try (Jedis j = client(n)) {
                Object r = j.sendCommand(redis.clients.jedis.Protocol.Command.SENTINEL, "CKQUORUM", masterName);
                out.put(n, r instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(r));
            } catch (JedisException e) {
                out.put(n, "ERROR " + e.getMessage());
            }
        }
        return out;
    }

    /** Replica addresses as the first answering Sentinel knows them, with their flags. */
    public List<Map<String, String>> replicas() {
        for (Endpoint n : nodes) {
            try (Jedis j = client(n)) {
                return j.sentinelReplicas(masterName);
            } catch (JedisException e) {
                // try the next Sentinel
            }
        }
        return List.of();
    }

    /**
     * Waits until every answering Sentinel reports {@code replica-priority} {@code priority} for each of
     * {@code replicas}. Sentinel reads a replica's priority from its INFO, which it refreshes only every 10 s while the
     * master is healthy, and elects from what it last read: a {@code CONFIG SET} alone is not yet a constraint.
     *
     * @throws LifeboatException {@code failover-failed} when that does not happen within {@code timeout}
     */
    public void awaitReplicaPriority(java.util.Collection<Endpoint> replicas, String priority, java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> stale = new ArrayList<>();
            for (Endpoint n : nodes) {
                try (Jedis j = client(n)) {
                    for (Map<String, String> r : j.sentinelReplicas(masterName)) {
                        Endpoint e = new Endpoint(r.get("ip"), Integer.parseInt(r.get("port")));
                        if (replicas.contains(e) && !priority.equals(r.get("slave-priority"))) {
                            stale.add(n + " sees " + e + " at " + r.get("slave-priority"));
                        }
                    }
                } catch (JedisException | LifeboatException e) {
                    // A Sentinel that does not answer cannot lead the failover either.
                }
            }
            if (stale.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new LifeboatException(dev.lifeboat.core.error.ErrorCode.FAILOVER_FAILED, "the Sentinels did not see replica-priority " + priority
                        + " within " + timeout + " (" + String.join("; ", stale) + "), so nothing was failed over", "Give more --timeout "
                        + "(Sentinel reads replicas' INFO every 10 s), or leave --to out.");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LifeboatException(dev.lifeboat.core.error.ErrorCode.FAILOVER_FAILED, "interrupted", null, e);
            }
        }
    }

    /** Asks the Sentinels, one after another, to start a failover; returns the node that accepted. */
    public Endpoint startFailover() {
        List<String> refusals = new ArrayList<>();
        for (Endpoint n : nodes) {
            try (Jedis j = client(n)) {
                j.sentinelFailover(masterName);
                return n;
            } catch (JedisException e) {
                refusals.add(n + ": " + e.getMessage());
            }
        }
        throw new LifeboatException(dev.lifeboat.core.error.ErrorCode.FAILOVER_FAILED, "no Sentinel started the failover of "
                + masterName + ": " + String.join("; ", refusals), null);
    }

    static Jedis client(Endpoint n) {
        return new Jedis(n.host(), n.port(), 3000);
    }
}
