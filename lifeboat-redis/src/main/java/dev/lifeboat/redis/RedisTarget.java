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
        Jedis j = null;
        try {
            j = new Jedis(new HostAndPort(endpoint.host(), endpoint.port()), config.build());
            j.ping();
            return j;
        } catch (JedisConnectionException e) {
            close(j);
            throw new LifeboatException(ErrorCode.SOURCE_UNREACHABLE, ErrorCode.SOURCE_UNREACHABLE.format("Redis at " + endpoint,
                    rootMessage(e)), null, e);
        } catch (redis.clients.jedis.exceptions.JedisDataException e) {
            // A refused AUTH, or a server still loading its dataset: answered, but not usable yet.
            close(j);
            throw new LifeboatException(ErrorCode.SOURCE_UNREACHABLE, ErrorCode.SOURCE_UNREACHABLE.format("Redis at " + endpoint,
                    e.getMessage()), e.getMessage() != null && e.getMessage().startsWith("LOADING") ? "It is loading its data; try again shortly."
                    : "Check the password in the plan (resources.redis.NAME.password) or $REDISCLI_AUTH.", e);
        }
    }

    private static void close(Jedis j) {
        if (j != null) {
            j.close();
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
