package dev.lifeboat.postgres.stream;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's replication slot on servers it no longer streams from. A slot keeps its server's WAL until someone
 * consumes it: after a plan moves the agent from the primary to a standby (or back), the slot left on the other
 * server would hold pg_wal for ever, and {@code status}, which reads the server the agent streams from, would not
 * see it. An inactive one is dropped once the repository holds the WAL it keeps (dropping it earlier could turn WAL
 * that is still on that server into a gap); an active one (another agent streams from there) is only reported.
 */
public final class StraySlots {
    private StraySlots() {
    }

    /**
     * Looks for {@code slot} on each of {@code others} (name to JDBC URL) and drops it where it is inactive and
     * {@code storedEnd} (given the server's WAL segment size) reaches its restart position; returns one sentence per
     * server where something was found or could not be checked.
     */
    public static List<String> clear(Map<String, String> others, String slot, String user, Optional<String> password,
                                     java.util.function.LongFunction<Optional<dev.lifeboat.postgres.wal.Lsn>> storedEnd) {
        List<String> said = new ArrayList<>();
        for (Map.Entry<String, String> server : others.entrySet()) {
            try (Connection c = dev.lifeboat.postgres.connect.Connections.open(server.getValue(), user, password,
                    java.time.Duration.ofSeconds(5), "lifeboat agent");
                 PreparedStatement ps = c.prepareStatement("SELECT active, pg_size_pretty(CASE WHEN pg_is_in_recovery() "
                         + "THEN pg_wal_lsn_diff(coalesce(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), restart_lsn) "
                         + "ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) END), restart_lsn, "
                         + "(SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size') FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        continue;
                    }
                    boolean active = rs.getBoolean(1);
                    String held = rs.getString(2);
                    Optional<dev.lifeboat.postgres.wal.Lsn> restart = Optional.ofNullable(rs.getString(3)).map(dev.lifeboat.postgres.wal.Lsn::parse);
                    Optional<dev.lifeboat.postgres.wal.Lsn> stored = storedEnd.apply(rs.getLong(4));
                    if (active) {
                        said.add("slot " + slot + " on " + server.getKey() + " is in use by another consumer; the agent streams from elsewhere "
                                + "and leaves it (is a second agent running?)");
                        continue;
                    }
                    if (restart.isPresent() && (stored.isEmpty() || restart.get().isAfter(stored.get()))) {
                        said.add("slot " + slot + " on " + server.getKey() + ", left from when the agent streamed from there, keeps WAL from "
                                + restart.get() + " that the repository does not have (stored up to " + stored.map(Object::toString).orElse("nothing")
                                + "); left in place. Once that WAL is no longer wanted, drop it: SELECT pg_drop_replication_slot('" + slot + "')");
                        continue;
                    }
                    try (PreparedStatement drop = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                        drop.setString(1, slot);
                        drop.execute();
                    }
                    said.add("dropped slot " + slot + " on " + server.getKey() + ", left from when the agent streamed from there"
                            + (held == null ? "" : "; it held " + held + " of pg_wal"));
                }
            } catch (SQLException e) {
                said.add("could not check " + server.getKey() + " for a slot " + slot + " left from earlier streaming: " + e.getMessage());
            }
        }
        return said;
    }
}
