package dev.lifeboat.postgres.stream;

import dev.lifeboat.postgres.wal.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/**
 * What a PostgreSQL server says about Lifeboat's WAL protection, from the server's side: its WAL position, the
 * agent's replication slot (how much pg_wal it holds back, and whether the server will keep it), the agent's
 * walsender (how far the repository trails, and {@code flush_lag}: how long the newest WAL took to become durable in
 * the repository, since the agent confirms WAL only then), and the archiver for archive_command users. Read with
 * one ordinary connection; needs nothing beyond the REPLICATION role the agent uses (or pg_monitor).
 *
 * @param position          the server's WAL position (written on a primary, received on a standby)
 * @param slot              the agent's slot, if it exists
 * @param sender            the agent's walsender, if the agent is connected
 * @param archiver          the archiver's state, when archive_mode is on
 * @param maxSlotWalKeepSize {@code max_slot_wal_keep_size} as the server shows it ({@code -1}: unlimited)
 */
public record ServerView(Lsn position, boolean inRecovery, Optional<Slot> slot, Optional<Sender> sender, Optional<Archiver> archiver,
                         String maxSlotWalKeepSize) {
    /**
     * @param retainedBytes WAL the slot keeps in pg_wal (position minus restart_lsn)
     * @param walStatus     reserved, extended, unreserved or lost (PostgreSQL 13 and later)
     */
    public record Slot(String name, boolean active, Optional<Lsn> restartLsn, long retainedBytes, Optional<String> walStatus,
                       Optional<Long> safeWalSizeBytes) {
    }

    /**
     * @param flushLagSeconds  empty when the server has nothing recent to measure (caught up and idle)
     * @param lastReplySeconds how long ago the agent last reported its position (PostgreSQL 12 and later); a healthy
     *                         agent reports every second, a stuck one stops
     */
    public record Sender(String state, String syncState, Lsn flushLsn, long behindBytes, Optional<Double> flushLagSeconds,
                         Optional<Double> lastReplySeconds) {
    }

    /**
     * pg_stat_archiver; {@code allArchived}: the last segment the server needs archived now (the one holding its
     * position, or at a segment boundary the one before: {@code pg_walfile_name}) is the last archived, so nothing
     * written is waiting (an idle primary after a switch).
     */
    public record Archiver(Optional<String> lastArchivedWal, Optional<Instant> lastArchivedTime, Optional<String> lastFailedWal,
                           Optional<Instant> lastFailedTime, long failedCount, boolean allArchived) {
        public Archiver(Optional<String> lastArchivedWal, Optional<Instant> lastArchivedTime, Optional<String> lastFailedWal,
                        Optional<Instant> lastFailedTime, long failedCount) {
            this(lastArchivedWal, lastArchivedTime, lastFailedWal, lastFailedTime, failedCount, false);
        }
    }

    /** Reads the view for the agent's {@code slot} and walsender {@code applicationName}. */
    public static ServerView read(Connection c, String slot, String applicationName) throws SQLException {
        Lsn position;
        boolean recovery;
        int version;
        String keep;
        boolean archiving;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() "
                + "THEN coalesce(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) ELSE pg_current_wal_lsn() END, "
                + "current_setting('server_version_num')::int, coalesce(current_setting('max_slot_wal_keep_size', true), '-1'), "
                + "current_setting('archive_mode')")) {
            rs.next();
            recovery = rs.getBoolean(1);
            position = rs.getString(2) == null ? Lsn.ZERO : Lsn.parse(rs.getString(2));
            version = rs.getInt(3);
            keep = rs.getString(4);
            archiving = !"off".equals(rs.getString(5));
        }
        Optional<Slot> s = Optional.empty();
        String slotSql = version >= 130000 ? "SELECT active, restart_lsn, wal_status, safe_wal_size FROM pg_replication_slots WHERE slot_name = ?"
                : "SELECT active, restart_lsn, NULL, NULL FROM pg_replication_slots WHERE slot_name = ?";
        try (PreparedStatement ps = c.prepareStatement(slotSql)) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    Optional<Lsn> restart = Optional.ofNullable(rs.getString(2)).map(Lsn::parse);
                    long retained = restart.map(r -> Math.max(0, position.minus(r))).orElse(0L);
                    Optional<String> walStatus = Optional.ofNullable(rs.getString(3));
                    long safe = rs.getLong(4);
                    Optional<Long> safeBytes = rs.wasNull() ? Optional.empty() : Optional.of(safe); // NULL: no max_slot_wal_keep_size
                    s = Optional.of(new Slot(slot, rs.getBoolean(1), restart, retained, walStatus, safeBytes));
                }
            }
        }
        Optional<Sender> sender = Optional.empty();
        String reply = version >= 120000 ? "extract(epoch FROM now() - reply_time)" : "NULL";
        try (PreparedStatement ps = c.prepareStatement("SELECT state, sync_state, flush_lsn, extract(epoch FROM flush_lag), " + reply
                + " FROM pg_stat_replication WHERE application_name = ? ORDER BY backend_start DESC LIMIT 1")) {
            ps.setString(1, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    // Before the agent's first reply the server has no flush position: its slot's is what it confirmed.
                    Optional<Slot> known = s;
                    Lsn flush = rs.getString(3) != null ? Lsn.parse(rs.getString(3))
                            : known.flatMap(Slot::restartLsn).orElse(Lsn.ZERO);
                    double lag = rs.getDouble(4);
                    Optional<Double> flushLag = rs.wasNull() ? Optional.empty() : Optional.of(lag); // NULL: caught up and idle
                    double ago = rs.getDouble(5);
                    Optional<Double> lastReply = rs.wasNull() ? Optional.empty() : Optional.of(ago);
                    sender = Optional.of(new Sender(String.valueOf(rs.getString(1)), String.valueOf(rs.getString(2)), flush,
                            Math.max(0, position.minus(flush)), flushLag, lastReply));
                }
            }
        }
        Optional<Archiver> archiver = Optional.empty();
        if (archiving) {
            // pg_walfile_name cannot be asked during recovery; a standby's archiving is judged by age alone.
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT last_archived_wal, last_archived_time, last_failed_wal, last_failed_time, failed_count, "
                            + (recovery ? "NULL" : "pg_walfile_name(pg_current_wal_lsn())") + " FROM pg_stat_archiver")) {
                rs.next();
                Optional<String> last = Optional.ofNullable(rs.getString(1));
                String needed = rs.getString(6);
                archiver = Optional.of(new Archiver(last, instant(rs.getTimestamp(2)), Optional.ofNullable(rs.getString(3)), instant(rs.getTimestamp(4)),
                        rs.getLong(5), needed != null && last.isPresent() && needed.equals(last.get())));
            }
        }
        return new ServerView(position, recovery, s, sender, archiver, keep);
    }

    private static Optional<Instant> instant(Timestamp t) {
        return Optional.ofNullable(t).map(Timestamp::toInstant);
    }
}
