package dev.lifeboat.postgres.stream;

import dev.lifeboat.postgres.wal.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

/**
 * How the standby the agent streams from is fed by the primary. WAL the standby has not received is not protected
 * yet, so with a standby source the recovery point trails by the standby's own lag too.
 *
 * @param replica            the standby's name in the plan
 * @param receiving          whether the standby's WAL receiver is streaming from its upstream
 * @param sinceLastMessage   seconds since the standby last heard from its upstream, when it has a WAL receiver
 * @param sinceLastReplay    seconds since the commit the standby replayed last was made (an upper bound of how old
 *                           the oldest WAL it lacks can be, when it lacks any)
 * @param usesSlot           whether the standby streams over a slot on the primary (only then is its flush_lag found)
 * @param behindBytes        how far the standby's received WAL trails the primary's, when the primary answered
 * @param flushLagSeconds    the primary's {@code flush_lag} for the standby's walsender, when the standby uses a slot
 *                           the primary can match it by (empty: caught up and idle, or not known)
 * @param primaryError       why the primary could not be asked, if it could not
 * @param statsHidden        whether the standby hid its WAL receiver's state (the role lacks {@code pg_read_all_stats}
 *                           there): {@link #receiving} is then false for want of knowing, not because it is not
 */
public record Upstream(String replica, boolean receiving, Optional<Double> sinceLastMessage, Optional<Double> sinceLastReplay,
                       boolean usesSlot, Optional<Long> behindBytes, Optional<Double> flushLagSeconds, Optional<String> primaryError,
                       boolean statsHidden) {

    /** Opens a connection to a server. */
    @FunctionalInterface
    public interface Connector {
        Connection open() throws SQLException;
    }

    /**
     * Reads the standby and, when it answers, the primary ({@link #read}); a primary that cannot be reached is noted
     * in {@link #primaryError}, not fatal.
     */
    public static Upstream probe(String replica, Connection standby, Lsn standbyPosition, Connector primary) throws SQLException {
        Connection p;
        try {
            p = primary.open();
        } catch (SQLException e) {
            return read(replica, standby, standbyPosition, Optional.empty(), Optional.of(e.getMessage()));
        }
        try (p) {
            return read(replica, standby, standbyPosition, Optional.of(p), Optional.empty());
        }
    }

    /**
     * For a standby that hides its receiver ({@link #statsHidden}): whether it is within a segment of the primary,
     * as a standby that streams stays under load (its receiver's state, which would say so, cannot be seen).
     */
    public boolean closeBehind() {
        return behindBytes.map(b -> b <= CLOSE).orElse(false);
    }

    /** How far a streaming standby may trail under load: one default WAL segment. */
    static final long CLOSE = 16L * 1024 * 1024;

    /** Whether the standby may lack WAL the primary has (not known without the primary: assumed). */
    public boolean lacksWal() {
        return behindBytes.map(b -> b > 0).orElse(true);
    }

    /**
     * While the standby receives nothing and lacks WAL: how old that WAL may be, from its last message from the
     * primary, or with no receiver left to tell, from the last commit it replayed.
     */
    public Optional<Duration> silence() {
        return !receiving && lacksWal() ? sinceLastMessage.or(() -> sinceLastReplay).map(Upstream::seconds) : Optional.empty();
    }

    /** While the standby receives and trails: its {@code flush_lag} behind the primary, when measured. */
    public Optional<Duration> addedLag() {
        return receiving && lacksWal() ? flushLagSeconds.map(Upstream::seconds) : Optional.empty();
    }

    /**
     * The RPO lag of WAL streamed from this standby, given the lag of the agent's own copy: the standby's flush_lag
     * added while it receives, and at least its {@link #silence()} while it does not.
     */
    public Duration rpoLag(Duration own) {
        return rpoLag(own, Duration.ZERO);
    }

    /** As {@link #rpoLag(Duration)}, for a reading taken {@code since} ago: a silence has grown by that much meanwhile. */
    public Duration rpoLag(Duration own, Duration since) {
        Optional<Duration> silent = silence().map(d -> d.plus(since));
        if (silent.isPresent()) {
            return own.compareTo(silent.get()) >= 0 ? own : silent.get();
        }
        return addedLag().map(own::plus).orElse(own);
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.max(0, Math.round(s * 1000)));
    }

    /**
     * Reads the standby's WAL receiver on {@code standby} (whose received position is {@code standbyPosition}) and,
     * when {@code primary} is given, the primary's position and its walsender for the standby.
     */
    public static Upstream read(String replica, Connection standby, Lsn standbyPosition, Optional<Connection> primary,
                                Optional<String> primaryError) throws SQLException {
        boolean receiving = false;
        boolean hidden = false;
        Optional<Double> since = Optional.empty();
        Optional<String> slot = Optional.empty();
        try (Statement st = standby.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT status, slot_name, extract(epoch FROM now() - last_msg_receipt_time) FROM pg_stat_wal_receiver")) {
            if (rs.next()) {
                // Without pg_read_all_stats the row shows the receiver's pid and nothing else.
                hidden = rs.getString(1) == null;
                receiving = "streaming".equals(rs.getString(1));
                slot = Optional.ofNullable(rs.getString(2));
                double s = rs.getDouble(3);
                since = rs.wasNull() ? Optional.empty() : Optional.of(s);
            }
        }
        Optional<Double> replayed = Optional.empty();
        try (Statement st = standby.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp())")) {
            rs.next();
            double s = rs.getDouble(1);
            replayed = rs.wasNull() ? Optional.empty() : Optional.of(Math.max(0, s));
        }
        Optional<Long> behind = Optional.empty();
        Optional<Double> flushLag = Optional.empty();
        if (primary.isPresent()) {
            try (Statement st = primary.get().createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_wal_flush_lsn()")) {
                rs.next();
                behind = Optional.of(Math.max(0, Lsn.parse(rs.getString(1)).minus(standbyPosition)));
            }
            if (slot.isPresent()) {
                try (PreparedStatement ps = primary.get().prepareStatement("SELECT extract(epoch FROM r.flush_lag) FROM pg_stat_replication r "
                        + "JOIN pg_replication_slots s ON s.active_pid = r.pid WHERE s.slot_name = ?")) {
                    ps.setString(1, slot.get());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            double l = rs.getDouble(1);
                            flushLag = rs.wasNull() ? Optional.empty() : Optional.of(l);
                        }
                    }
                }
            }
        }
        return new Upstream(replica, receiving, since, replayed, slot.isPresent(), behind, flushLag, primaryError, hidden);
    }
}
