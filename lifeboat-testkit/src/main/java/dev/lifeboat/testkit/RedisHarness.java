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

    private RedisHarness(Path home, RedisServer primary, List<RedisServer> replicas) {
        this.home = home;
        this.primary = primary;
        this.replicas = replicas;
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
        replicas.forEach(RedisServer::stop);
        primary.stop();
        Reaper.deleteTree(home);
    }

    /** How to build the instances. */
    public static final class Builder {
        private int replicas;
        private final List<String> args = new ArrayList<>();
        private String name = "redis";

        public Builder replicas(int n) {
            this.replicas = n;
            return this;
        }

        /** Extra redis-server arguments for every instance, e.g. {@code "--appendonly", "yes"}. */
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
                RedisHarness h = new RedisHarness(home, primary, started);
                h.awaitReplication();
                return h;
            } catch (RuntimeException e) {
                started.forEach(RedisServer::crash);
                primary.crash();
                throw e;
            }
        }
    }
}
