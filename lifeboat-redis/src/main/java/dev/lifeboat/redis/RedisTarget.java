package dev.lifeboat.redis;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Endpoint;
import java.util.Optional;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * One Redis server Lifeboat talks to: its address and, when it has one, the AUTH user and password. The password
 * never appears in {@link #toString()}.
 */
public record RedisTarget(Endpoint endpoint, Optional<String> user, Optional<String> password) {
    public static RedisTarget of(String host, int port) {
        return new RedisTarget(new Endpoint(host, port), Optional.empty(), Optional.empty());
    }

    public RedisTarget at(Endpoint other) {
        return new RedisTarget(other, user, password);
    }

    /** A connected client; a server that does not answer is an {@link ErrorCode#SOURCE_UNREACHABLE}. */
    public Jedis connect() {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().connectionTimeoutMillis(5000)
                .socketTimeoutMillis(60_000).clientName("lifeboat");
        user.ifPresent(config::user);
        password.ifPresent(config::password);
        try {
            Jedis j = new Jedis(new HostAndPort(endpoint.host(), endpoint.port()), config.build());
            j.ping();
            return j;
        } catch (JedisConnectionException e) {
            throw new LifeboatException(ErrorCode.SOURCE_UNREACHABLE, ErrorCode.SOURCE_UNREACHABLE.format("Redis at " + endpoint,
                    rootMessage(e)), null, e);
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public String toString() {
        return endpoint.toString();
    }
}
