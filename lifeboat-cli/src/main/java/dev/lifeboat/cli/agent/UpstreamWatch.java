package dev.lifeboat.cli.agent;

import dev.lifeboat.postgres.stream.ServerView;
import dev.lifeboat.postgres.stream.Upstream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * For a cluster whose WAL the agent streams from a standby: how the primary feeds that standby, read every few
 * seconds, so the agent's RPO lag includes WAL the standby has not received yet (as {@code lifeboat status} does).
 * The timeline hears when the standby stops or starts receiving, or cannot be read, once per change.
 *
 * <p>Contract: {@link #run()} never throws; {@link #latest()} is empty until a first reading, and again while the
 * standby cannot be read or has been promoted (then the agent's own lag is the whole lag).
 */
final class UpstreamWatch implements Runnable {
    /** How often the standby and the primary are asked. */
    static final Duration EVERY = Duration.ofSeconds(10);

    private final String cluster;
    private final String replica;
    private final String slot;
    private final String applicationName;
    private final Upstream.Connector standby;
    private final Upstream.Connector primary;
    private final Consumer<String> timeline;
    private volatile Optional<Upstream> latest = Optional.empty();
    private volatile long readAtNanos;
    private String state = "";

    UpstreamWatch(String cluster, String replica, String slot, String applicationName, Upstream.Connector standby,
                  Upstream.Connector primary, Consumer<String> timeline) {
        this.cluster = cluster;
        this.replica = replica;
        this.slot = slot;
        this.applicationName = applicationName;
        this.standby = standby;
        this.primary = primary;
        this.timeline = timeline;
    }

    String cluster() {
        return cluster;
    }

    /** The newest reading, if the standby answered it as a standby. */
    Optional<Upstream> latest() {
        return latest;
    }

    /** The cluster's RPO lag given the agent's own: the standby's lag added (or its silence, grown since the reading) when known. */
    Duration rpoLag(Duration own) {
        long at = readAtNanos;
        return latest.map(u -> u.rpoLag(own, Duration.ofNanos(System.nanoTime() - at))).orElse(own);
    }

    /** For the agent's status line: how the standby is fed, from the newest reading. */
    String describe() {
        return latest.map(u -> "replica " + replica + (u.receiving() ? " receives from the primary" : " receives NOTHING from the primary")
                + u.addedLag().map(d -> String.format(java.util.Locale.ROOT, ", its flush_lag %.1f s", d.toMillis() / 1000.0)).orElse("")
                + u.behindBytes().map(b -> ", " + b + " bytes behind").orElse(""))
                .orElse("replica " + replica + " not read yet or not a standby");
    }

    @Override
    public void run() {
        try (Connection s = standby.open()) {
            ServerView view = ServerView.read(s, slot, applicationName);
            if (!view.inRecovery()) {
                latest = Optional.empty();
                say("promoted", "replica " + replica + ", which the agent streams from, is no longer a standby: its WAL is the cluster's own");
                return;
            }
            Upstream u = Upstream.probe(replica, s, view.position(), primary);
            readAtNanos = System.nanoTime();
            latest = Optional.of(u);
            if (u.statsHidden()) {
                say("hidden", "replica " + replica + " hides whether it receives WAL from the primary: the plan's role lacks pg_read_all_stats "
                        + "there (GRANT pg_read_all_stats TO it); " + (u.closeBehind() ? "it is within a segment of the primary now"
                        : "the RPO lag counts the WAL it may lack from the last commit it replayed"));
            } else if (u.receiving()) {
                say("receiving", "replica " + replica + " receives WAL from the primary" + u.primaryError().map(e -> " (the primary cannot be asked how far "
                        + "it trails: " + e + ")").orElse(""));
            } else {
                say("silent", "PROBLEM replica " + replica + ", which the agent streams from, is not receiving WAL from the primary: what the primary "
                        + "writes now is not protected, and the RPO lag counts the WAL it lacks from "
                        + (u.sinceLastMessage().isPresent() ? "its last message from the primary" : "the last commit it replayed"));
            }
        } catch (SQLException | RuntimeException e) {
            latest = Optional.empty();
            say("unreadable", "cannot ask replica " + replica + " how it is fed (" + e.getMessage() + "); the RPO lag leaves out what it lacks");
        }
    }

    private void say(String now, String text) {
        if (!now.equals(state)) {
            state = now;
            timeline.accept(cluster + ": " + text);
        }
    }
}
