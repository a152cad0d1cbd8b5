package dev.lifeboat.testkit;

import dev.lifeboat.core.process.Binaries;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.Jedis;

/**
 * Starts real redis-server instances for tests: a primary and, if asked, replicas of it, on free 127.0.0.1 ports in
 * a temporary directory, stopped by PID on {@link #close()} (or, at the latest, when the JVM exits).
 */
public final class RedisHarness implements AutoCloseable {
    private final Path home;
    private final RedisServer primary;
    private final List<RedisServer> replicas;
    private final List<RedisServer> sentinels = new ArrayList<>();

    private RedisHarness(Path home, RedisServer primary, List<RedisServer> replicas) {
        this.home = home;
        this.primary = primary;
        this.replicas = replicas;
    }

    /** The Sentinel master name used by the harness. */
    public static final String MASTER_NAME = "mymaster";

    public List<RedisServer> sentinels() {
        return Collections.unmodifiableList(sentinels);
    }

    /** Every data server, primary first: after a failover the primary may be any of them. */
    public List<RedisServer> servers() {
        List<RedisServer> all = new ArrayList<>();
        all.add(primary);
        all.addAll(replicas);
        return all;
    }

    /** A new instance with no data and no replication, for restores. */
    public RedisServer newEmptyServer(String suffix) {
        RedisServer s = serverAt(home.resolve(suffix), suffix);
        s.start();
        return s;
    }

    private final List<RedisServer> extras = new ArrayList<>();

    /** A server (not yet started) that will use {@code dir} as its data directory, e.g. after an RDB was placed there. */
    public RedisServer serverAt(Path dir, String suffix, String... args) {
        RedisServer s = new RedisServer(primary.name().replace("-primary", "") + "-" + suffix, dir, Binaries.redisServer(), Optional.empty(), List.of(args));
        extras.add(s);
        return s;
    }

    /** The directory the harness keeps its servers in; new directories for tests go here. */
    public Path home() {
        return home;
    }

    public static Builder builder() {
        return new Builder();
    }

    public RedisServer primary() {
        return primary;
    }

    public RedisServer replica(int i) {
        return replicas.get(i);
    }

    public List<RedisServer> replicas() {
        return Collections.unmodifiableList(replicas);
    }

    /** Waits until every replica's offset has reached the primary's current one. */
    public void awaitReplication() {
        long target;
        try (Jedis j = primary.client()) {
            target = offset(j.info("replication"), "master_repl_offset");
        }
        for (RedisServer r : replicas) {
            Wait.until(Duration.ofSeconds(30), r + " to reach offset " + target, () -> {
                try (Jedis j = r.client()) {
                    String info = j.info("replication");
                    return info.contains("master_link_status:up") && offset(info, "slave_repl_offset") >= target;
                }
            });
        }
    }

    /** Waits until every Sentinel sees the other Sentinels and every replica, so a failover can be authorised. */
    public void awaitSentinels() {
        for (RedisServer s : sentinels) {
            Wait.until(Duration.ofSeconds(30), s + " to know its peers and replicas", () -> {
                try (Jedis j = s.client()) {
                    List<java.util.Map<String, String>> peers = j.sentinelSentinels(MASTER_NAME);
                    List<java.util.Map<String, String>> reps = j.sentinelReplicas(MASTER_NAME);
                    return peers.size() >= sentinels.size() - 1 && reps.size() >= replicas.size();
                }
            });
        }
    }

    private static long offset(String info, String key) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.substring(key.length() + 1).trim());
            }
        }
        return -1;
    }

    @Override
    public void close() {
        sentinels.forEach(RedisServer::crash);
        extras.forEach(RedisServer::stop);
        replicas.forEach(RedisServer::stop);
        primary.stop();
        Reaper.deleteTree(home);
    }

    /** How to build the instances. */
    public static final class Builder {
        private int replicas;
        private int sentinels;
        private final List<String> args = new ArrayList<>();
        private String name = "redis";

        public Builder replicas(int n) {
            this.replicas = n;
            return this;
        }

        /** Extra redis-server arguments for every instance, e.g. {@code "--appendonly", "yes"}. */
        /** Sentinels watching the primary as {@link #MASTER_NAME} with a majority quorum (1 second down-after). */
        public Builder sentinels(int n) {
            this.sentinels = n;
            return this;
        }

        public Builder args(String... extra) {
            args.addAll(List.of(extra));
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public RedisHarness start() {
            Path binary = Binaries.redisServer();
            Path home = Reaper.runDirectory().resolve(name + "-" + Long.toHexString(System.nanoTime()));
            List<RedisServer> started = new ArrayList<>();
            RedisServer primary = new RedisServer(name + "-primary", home.resolve("primary"), binary, Optional.empty(), args);
            try {
                primary.start();
                for (int i = 1; i <= replicas; i++) {
                    RedisServer r = new RedisServer(name + "-replica-" + i, home.resolve("replica-" + i), binary, Optional.of(primary), args);
                    r.start();
                    started.add(r);
                }
                RedisHarness h = new RedisHarness(home, primary, new ArrayList<>(started));
                h.awaitReplication();
                for (int i = 1; i <= sentinels; i++) {
                    RedisServer s = RedisServer.sentinel(name + "-sentinel-" + i, home.resolve("sentinel-" + i), binary, primary, MASTER_NAME,
                            sentinels / 2 + 1);
                    s.start();
                    h.sentinels.add(s);
                    started.add(s);
                }
                if (sentinels > 0) {
                    h.awaitSentinels();
                }
                return h;
            } catch (RuntimeException e) {
                started.forEach(RedisServer::crash);
                primary.crash();
                throw e;
            }
        }
    }
}
