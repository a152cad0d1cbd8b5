package dev.lifeboat.postgres.failover;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Promotes a streaming replica to primary, the seed's database-failover.sh --to-replica and Runbook 1:
 * <ol>
 *   <li><b>check</b> the replica: it must be in recovery and streaming; its lag behind the primary's current position,
 *       when the primary answers, is the expected data loss (without the primary, the lag behind what the replica
 *       received is replayed before promotion, and what the primary never sent cannot be measured);</li>
 *   <li><b>fence</b> the old primary if it still answers: {@code default_transaction_read_only = on} with a reload,
 *       and every client session terminated, so it accepts no new writes once the replica is promoted (a session
 *       could still turn read-only off for itself, so the router must also stop sending traffic to it);</li>
 *   <li><b>promote</b> with {@code pg_promote(wait => true)} and wait until the replica accepts a write.</li>
 * </ol>
 * Re-pointing the application is the caller's part: the cluster's {@link RePointCommand} (a connection pooler, a
 * Kubernetes Service, DNS), or the demo's router.
 */
public final class PostgresFailover {
    /** A server to talk to: JDBC URL (postgres database), role and password. */
    public record Server(String name, String jdbcUrl, String user, Optional<String> password) {
        Connection connect() throws SQLException {
            return dev.lifeboat.postgres.connect.Connections.open(jdbcUrl, user, password, java.time.Duration.ofSeconds(3), "lifeboat failover");
        }
    }

    /** The replica's state before promotion. */
    public record Check(boolean inRecovery, String receiveLsn, String replayLsn, Optional<String> primaryLsn, long lagBytes,
                        Optional<Double> replayDelaySeconds) {
    }

    /** What the failover did, with milliseconds per phase. */
    public record Result(Check check, boolean fenced, String fenceNote, long fenceMillis, long promoteMillis, String newTimelineLsn) {
    }

    private final Consumer<String> timeline;

    public PostgresFailover(Consumer<String> timeline) {
        this.timeline = timeline;
    }

    public Check check(Server replica, Optional<Server> primary) {
        try (Connection c = replica.connect(); Statement st = c.createStatement()) {
            boolean recovery = one(st, "SELECT pg_is_in_recovery()").equals("t");
            if (!recovery) {
                throw new LifeboatException(ErrorCode.FAILOVER_FAILED, replica.name() + " is not a replica (it is not in recovery)",
                        "Name a streaming replica of the cluster.");
            }
            String receive = one(st, "SELECT coalesce(pg_last_wal_receive_lsn(), '0/0')");
            String replay = one(st, "SELECT coalesce(pg_last_wal_replay_lsn(), '0/0')");
            String delay = one(st, "SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp())");
            Optional<String> primaryLsn = primary.flatMap(this::currentLsn);
            long lag = bytes(st, primaryLsn.orElse(receive), replay);
            return new Check(true, receive, replay, primaryLsn, lag, Optional.ofNullable(delay).map(Double::parseDouble));
        } catch (SQLException e) {
            throw new LifeboatException(ErrorCode.SOURCE_UNREACHABLE, ErrorCode.SOURCE_UNREACHABLE.format(replica.name(), e.getMessage()),
                    "The replica must answer to be promoted.", e);
        }
    }

    private Optional<String> currentLsn(Server primary) {
        try (Connection c = primary.connect(); Statement st = c.createStatement()) {
            return Optional.of(one(st, "SELECT pg_current_wal_lsn()"));
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /** Makes the old primary refuse new writes, if it answers; returns a sentence saying what happened. */
    public String fence(Server primary) {
        try (Connection c = primary.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER SYSTEM SET default_transaction_read_only = on");
            st.execute("SELECT pg_reload_conf()");
            try (ResultSet rs = st.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    + "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
                rs.next();
                return "fenced the old primary " + primary.name() + ": default_transaction_read_only = on, " + rs.getLong(1)
                        + " client session(s) terminated";
            }
        } catch (SQLException e) {
            return "the old primary " + primary.name() + " does not answer (connection refused or timed out), so there is nothing to fence: "
                    + "it cannot take writes while it is down";
        }
    }

    /** Promotes and waits until the new primary accepts a write. */
    public String promote(Server replica, Duration limit) {
        try (Connection c = replica.connect(); Statement st = c.createStatement()) {
            String promoted = one(st, "SELECT pg_promote(true, " + Math.max(1, limit.toSeconds()) + ")");
            if (!"t".equals(promoted)) {
                throw new LifeboatException(ErrorCode.FAILOVER_FAILED, replica.name() + " did not finish promotion within " + limit, null);
            }
            long deadline = System.nanoTime() + limit.toNanos();
            while (one(st, "SELECT pg_is_in_recovery()").equals("t") || one(st, "SHOW transaction_read_only").equals("on")) {
                if (System.nanoTime() > deadline) {
                    throw new LifeboatException(ErrorCode.FAILOVER_FAILED, replica.name() + " still refuses writes after " + limit, null);
                }
                Thread.sleep(20);
            }
            String lsn = one(st, "SELECT pg_current_wal_lsn()");
            return lsn;
        } catch (SQLException e) {
            throw new LifeboatException(ErrorCode.FAILOVER_FAILED, "promoting " + replica.name() + " failed: " + e.getMessage(), null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted during promotion", null, e);
        }
    }

    /** check, fence (when the old primary is given), promote. */
    public Result run(Server replica, Optional<Server> primary, Duration limit) {
        Check check = check(replica, primary);
        timeline.accept(check.primaryLsn().isPresent()
                ? String.format("%s is streaming; it has replayed to %s, %d bytes behind the primary: that is the expected data loss", replica.name(),
                        check.replayLsn(), check.lagBytes())
                : String.format("%s is streaming; it has replayed to %s, %d bytes behind what it received, which it replays before promotion "
                        + "(the primary does not answer, so what it wrote but never sent cannot be measured)", replica.name(), check.replayLsn(),
                        check.lagBytes()));
        long t0 = System.nanoTime();
        String note = primary.map(this::fence).orElse("no old primary named; not fenced");
        timeline.accept(note);
        boolean fenced = note.startsWith("fenced");
        long t1 = System.nanoTime();
        String lsn = promote(replica, limit);
        long t2 = System.nanoTime();
        timeline.accept("promoted " + replica.name() + "; it takes writes at " + lsn);
        return new Result(check, fenced, note, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, lsn);
    }

    private static long bytes(Statement st, String to, String from) throws SQLException {
        String d = one(st, "SELECT pg_wal_lsn_diff('" + to + "', '" + from + "')");
        return d == null ? 0 : Math.max(0, (long) Double.parseDouble(d));
    }

    private static String one(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
