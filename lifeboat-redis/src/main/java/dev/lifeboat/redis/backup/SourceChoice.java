package dev.lifeboat.redis.backup;

import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Endpoint;
import dev.lifeboat.redis.RedisTarget;
import dev.lifeboat.redis.ServerInfo;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.Jedis;

/**
 * Picks the server a Redis backup reads from: the first replica that is connected to its master
 * ({@code master_link_status:up}) and not loading, so the primary never forks for a backup; the primary only when
 * no replica qualifies. The reason is returned in one sentence for the timeline.
 */
public final class SourceChoice {
    private SourceChoice() {
    }

    /** The chosen source and why. */
    public record Choice(RedisTarget target, String reason) {
    }

    /** A replica that has heard nothing from its master for longer than this is stale (the master pings every 10 s). */
    static final long STALE_LINK_SECONDS = 30;

    public static Choice choose(RedisTarget primary, List<Endpoint> replicas) {
        List<String> rejected = new ArrayList<>();
        for (Endpoint e : replicas) {
            RedisTarget r = primary.at(e);
            try (Jedis j = r.connect()) {
                ServerInfo info = ServerInfo.of(j, "replication", "persistence");
                if (info.isMaster()) {
                    rejected.add(e + " is a master now");
                } else if (!"up".equals(info.text("master_link_status"))) {
                    rejected.add(e + " has its master link " + info.text("master_link_status"));
                } else if (info.number("loading") == 1) {
                    rejected.add(e + " is loading");
                } else if (info.number("master_last_io_seconds_ago") > STALE_LINK_SECONDS) {
                    // The link stays 'up' until repl-timeout (often minutes) after the master went silent; a master
                    // pings its replicas every 10 s by default, so this long without a byte means a stale replica.
                    rejected.add(e + " has not heard from its master for " + info.number("master_last_io_seconds_ago") + " s");
                } else {
                    return new Choice(r, "backing up from replica " + e + " (link up, offset " + info.text("slave_repl_offset")
                            + ") so the primary does not fork");
                }
            } catch (LifeboatException | redis.clients.jedis.exceptions.JedisException ex) {
                rejected.add(e + " does not answer (" + ex.getMessage() + ")");
            }
        }
        String why = replicas.isEmpty() ? "the instance has no replicas" : "no replica qualifies: " + String.join("; ", rejected);
        return new Choice(primary, "backing up from the primary " + primary + " because " + why + " (it forks once for the RDB)");
    }
}
