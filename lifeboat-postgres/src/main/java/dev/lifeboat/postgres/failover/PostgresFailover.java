package dev.lifeboat.postgres.failover;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.postgres.wal.Lsn;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Promotes a streaming replica to primary, the seed's database-failover.sh --to-replica and Runbook 1:
 * <ol>
 *   <li><b>check</b> the replica: it must be in recovery; how much WAL it has received and replayed, whether its WAL
 *       receiver is streaming, and its lag behind the primary's current position when the primary answers;</li>
 *   <li><b>fence</b> the old primary if it still answers: {@code default_transaction_read_only = on} with a reload,
 *       and every client session terminated, so it accepts no new writes once the replica is promoted (a session
 *       could still turn read-only off for itself, so the router must also stop sending traffic to it). A primary
 *       that answers but cannot be fenced (the role may not run ALTER SYSTEM, too many clients) stops the failover
 *       before anything is promoted: promoting then would leave two servers taking writes;</li>
 *   <li><b>catch up</b>: once fenced, the primary's WAL position is final, and the replica must have received all
 *       of it before promotion ends its WAL receiver, else the commits in between are lost;</li>
 *   <li><b>promote</b> with {@code pg_promote(wait => false)} and wait, up to the time limit, until the replica
 *       accepts a write.</li>
 * </ol>
 * With {@code force}, an unfenced primary or a replica that did not catch up is accepted (the operator has cut the
 * old primary off, or accepts the loss), and said on the timeline. Re-pointing the application is the caller's
 * part: the cluster's {@link RePointCommand} (a connection pooler, a Kubernetes Service, DNS), or the demo's router.
 */
public final class PostgresFailover {
    /** A server to talk to: JDBC URL (postgres database), role and password. */
    public record Server(String name, String jdbcUrl, String user, Optional<String> password) {
        Connection connect() throws SQLException {
            return dev.lifeboat.postgres.connect.Connections.open(jdbcUrl, user, password, java.time.Duration.ofSeconds(3), "lifeboat failover");
        }
    }

    /**
     * The replica's state before promotion.
     *
     * @param receiverStatus {@code pg_stat_wal_receiver.status} ({@code streaming}, {@code waiting}, ...), empty when
     *                       no WAL receiver runs or the role may not see it
     */
    public record Check(boolean inRecovery, String receiveLsn, String replayLsn, Optional<String> primaryLsn, long lagBytes,
                        Optional<Double> replayDelaySeconds, Optional<String> receiverStatus, Optional<String> systemId,
                        Optional<String> promoteProblem) {
    }

    /** What fencing found: the primary fenced, not answering, or answering but not fenced. */
    public enum FenceState { FENCED, DOWN, REFUSED, NOT_NAMED }

    /**
     * @param note      one sentence for the timeline
     * @param finalLsn  the fenced primary's WAL position once its client sessions are gone: what the replica must
     *                  receive before promotion
     * @param segmentSize the primary's WAL segment size (0 when not fenced)
     */
    public record Fence(FenceState state, String note, Optional<String> finalLsn, long segmentSize) {
        public boolean fenced() {
            return state == FenceState.FENCED;
        }
    }

    /**
     * What the failover did, with milliseconds per phase.
     *
     * @param lossBytes WAL the fenced primary wrote that the replica had not received at promotion (0 once caught up);
     *                  empty when the primary did not answer, so what it never sent cannot be measured
     */
    public record Result(Check check, Fence fence, Optional<Long> lossBytes, long fenceMillis, long catchUpMillis, long promoteMillis,
                         String newTimelineLsn) {
        public boolean fenced() {
            return fence.fenced();
        }

        public String fenceNote() {
            return fence.note();
        }
    }

    /** How long a fence waits for terminated sessions to be gone before it reads the primary's final WAL position. */
    static final Duration SESSIONS_GONE = Duration.ofSeconds(5);

    private final Consumer<String> timeline;
    private final boolean force;

    public PostgresFailover(Consumer<String> timeline) {
        this(timeline, false);
    }

    /** {@code force}: promote even when the primary answers but cannot be fenced, or the replica does not catch up. */
    public PostgresFailover(Consumer<String> timeline, boolean force) {
        this.timeline = timeline;
        this.force = force;
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
            Optional<String> status = Optional.ofNullable(one(st, "SELECT max(status) FROM pg_stat_wal_receiver"));
            Optional<String> systemId = systemIdentifier(st);
            // Checked before anything changes: a role that may fence the primary but not promote would leave the
            // cluster with no primary at all.
            Optional<String> promoteProblem = "t".equals(one(st, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
                    || "t".equals(one(st, "SELECT has_function_privilege('pg_promote(boolean, integer)', 'EXECUTE')")) ? Optional.empty()
                    : Optional.of("the role " + replica.user() + " may not run pg_promote on " + replica.name()
                            + " (GRANT EXECUTE ON FUNCTION pg_promote(boolean, integer) TO " + replica.user() + ")");
            if (primary.isPresent()) {
                sameCluster(replica, systemId, primary.get());
            }
            Optional<String> primaryLsn = primary.flatMap(this::currentLsn);
            long lag = bytes(st, primaryLsn.orElse(receive), replay);
            return new Check(true, receive, replay, primaryLsn, lag, Optional.ofNullable(delay).map(Double::parseDouble), status, systemId,
                    promoteProblem);
        } catch (SQLException e) {
            throw new LifeboatException(ErrorCode.SOURCE_UNREACHABLE, ErrorCode.SOURCE_UNREACHABLE.format(replica.name(), e.getMessage()),
                    "The replica must answer to be promoted.", e);
        }
    }

    /**
     * Refuses a replica of another cluster (a plan naming the staging server, a standby rebuilt from another source):
     * promoting it after fencing the primary would hand the application a different database. Compared only when both
     * answer; PostgreSQL grants pg_control_system() to every role.
     */
    private static void sameCluster(Server replica, Optional<String> replicaId, Server primary) {
        Optional<String> primaryId;
        try (Connection c = primary.connect(); Statement st = c.createStatement()) {
            primaryId = systemIdentifier(st);
        } catch (SQLException e) {
            return;
        }
        if (replicaId.isPresent() && primaryId.isPresent() && !replicaId.equals(primaryId)) {
            throw new LifeboatException(ErrorCode.FAILOVER_FAILED, "nothing changed: " + replica.name() + " is not a replica of " + primary.name()
                    + " (database system identifier " + replicaId.get() + ", the primary's " + primaryId.get() + ")",
                    "Check the cluster's replicas in the plan: this one belongs to another cluster.");
        }
    }

    private static Optional<String> systemIdentifier(Statement st) {
        try {
            return Optional.ofNullable(one(st, "SELECT system_identifier FROM pg_control_system()"));
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code server} answers a connection now (3 s at most). */
    public boolean answers(Server server) {
        try (Connection c = server.connect()) {
            return true;
        } catch (SQLException e) {
            return !unreachable(e);
        }
    }

    private Optional<String> currentLsn(Server primary) {
        try (Connection c = primary.connect(); Statement st = c.createStatement()) {
            return Optional.of(one(st, "SELECT pg_current_wal_lsn()"));
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /**
     * Makes the old primary refuse new writes, if it answers. {@link FenceState#DOWN} only when the connection itself
     * fails (refused, timed out, the server starting up or shutting down); a server that answers and refuses (a
     * password, a privilege, too many clients) is {@link FenceState#REFUSED}: it may still be taking writes.
     */
    public Fence fence(Server primary) {
        Connection c;
        try {
            c = primary.connect();
        } catch (SQLException e) {
            if (unreachable(e)) {
                return new Fence(FenceState.DOWN, "the old primary " + primary.name() + " does not answer from here (" + e.getMessage()
                        + "), so there is nothing to fence; if the application can still reach it (a network partition), stop it or "
                        + "cut it off before the application comes back", Optional.empty(), 0);
            }
            return new Fence(FenceState.REFUSED, "the old primary " + primary.name() + " answers but refused the connection ("
                    + e.getMessage() + "), so it could not be fenced and may still take writes", Optional.empty(), 0);
        }
        try (c; Statement st = c.createStatement()) {
            // Whether the role may fence at all is checked before anything changes: a fence that fails half-way would
            // leave read-only pending in postgresql.auto.conf, to take effect at the next reload.
            Optional<String> cannot = fenceProblem(st, primary.user());
            if (cannot.isPresent()) {
                return new Fence(FenceState.REFUSED, "the old primary " + primary.name() + " answers, but " + cannot.get()
                        + ", so it was not fenced (nothing changed on it) and may still take writes", Optional.empty(), 0);
            }
            long segmentSize = Long.parseLong(one(st, "SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'"));
            boolean superuser = "t".equals(one(st, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"));
            // A role that is not a superuser may not end a superuser's sessions; trying would fail the whole statement.
            // Without pg_read_all_stats other users' sessions show no backend_type: a session in a database under a role
            // is a client's then.
            String ours = "pid <> pg_backend_pid() AND (backend_type = 'client backend' OR backend_type IS NULL AND datid IS NOT NULL "
                    + "AND usesysid IS NOT NULL)";
            String endable = ours + (superuser ? "" : " AND usesysid NOT IN (SELECT oid FROM pg_roles WHERE rolsuper)");
            long terminated;
            try {
                st.execute("ALTER SYSTEM SET default_transaction_read_only = on");
                st.execute("SELECT pg_reload_conf()");
                terminated = Long.parseLong(one(st, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE " + endable));
            } catch (SQLException e) {
                return new Fence(FenceState.REFUSED, "the old primary " + primary.name() + " answers but could not be fenced (" + e.getMessage()
                        + "); " + undo(st) + ", so it may still take writes", Optional.empty(), 0);
            }
            // A terminated session may be in the middle of its commit: the final position is read once they are gone.
            long deadline = System.nanoTime() + SESSIONS_GONE.toNanos();
            String left;
            while (!"0".equals(left = one(st, "SELECT count(*) FROM pg_stat_activity WHERE " + endable)) && System.nanoTime() < deadline) {
                sleep(20);
            }
            long superSessions = superuser ? 0 : Long.parseLong(one(st, "SELECT count(*) FROM pg_stat_activity WHERE " + ours
                    + " AND usesysid IN (SELECT oid FROM pg_roles WHERE rolsuper)"));
            String lsn = one(st, "SELECT pg_current_wal_insert_lsn()");
            String still = (!"0".equals(left) ? "; " + left + " session(s) had not ended after " + SESSIONS_GONE.toSeconds()
                    + " s, so commits after its WAL end may not reach the replica" : "")
                    + (superSessions > 0 ? "; " + superSessions + " superuser session(s) left running (the role may not end them): "
                    + "their next transactions are read-only unless they turn that off" : "");
            return new Fence(FenceState.FENCED, "fenced the old primary " + primary.name() + ": default_transaction_read_only = on, "
                    + terminated + " client session(s) terminated; its WAL ends at " + lsn + still, Optional.of(lsn), segmentSize);
        } catch (SQLException e) {
            return new Fence(FenceState.REFUSED, "the old primary " + primary.name() + " answers but could not be fenced (" + e.getMessage()
                    + "), so it may still take writes", Optional.empty(), 0);
        }
    }

    /** Takes back a fence that failed half-way; says whether that worked. */
    private static String undo(Statement st) {
        try {
            st.execute("ALTER SYSTEM RESET default_transaction_read_only");
            st.execute("SELECT pg_reload_conf()");
            return "the half-done fence was taken back";
        } catch (SQLException e) {
            return "taking the half-done fence back failed too (" + e.getMessage() + "): check default_transaction_read_only on it";
        }
    }

    /**
     * Whether the role could fence {@code primary}, for a dry run: empty when it can (or the primary does not answer,
     * so there will be nothing to fence), else why not.
     */
    public Optional<String> fenceProblem(Server primary) {
        try (Connection c = primary.connect(); Statement st = c.createStatement()) {
            return fenceProblem(st, primary.user()).map(why -> why + ": the failover would stop before promoting while the old primary answers");
        } catch (SQLException e) {
            return unreachable(e) ? Optional.empty() : Optional.of("the old primary answers but refused the connection (" + e.getMessage() + ")");
        }
    }

    /** What the role lacks to fence (ALTER SYSTEM on the setting, reloading, ending sessions), if anything. */
    private static Optional<String> fenceProblem(Statement st, String user) throws SQLException {
        if ("t".equals(one(st, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))) {
            return Optional.empty();
        }
        if (Integer.parseInt(one(st, "SHOW server_version_num")) < 150000) {
            return Optional.of("the role " + user + " is not a superuser, and before PostgreSQL 15 only a superuser may run ALTER SYSTEM");
        }
        List<String> lacks = new ArrayList<>();
        if (!"t".equals(one(st, "SELECT has_parameter_privilege('default_transaction_read_only', 'ALTER SYSTEM')"))) {
            lacks.add("ALTER SYSTEM ON PARAMETER default_transaction_read_only");
        }
        if (!"t".equals(one(st, "SELECT has_function_privilege('pg_reload_conf()', 'EXECUTE')"))) {
            lacks.add("EXECUTE on pg_reload_conf()");
        }
        if (!"t".equals(one(st, "SELECT pg_has_role('pg_signal_backend', 'MEMBER')"))) {
            lacks.add("membership in pg_signal_backend");
        }
        return lacks.isEmpty() ? Optional.empty() : Optional.of("the role " + user + " lacks " + String.join(" and ", lacks));
    }

    /**
     * A connection that failed before the server said anything (refused, timed out), or a server shutting down. One
     * starting up (crash recovery after a restart) is not down: it is about to take writes again.
     */
    static boolean unreachable(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.equals("57P03") && String.valueOf(e.getMessage()).contains("shutting down");
    }

    /**
     * Waits, up to {@code limit}, until the replica has received the fenced primary's WAL up to {@code lsn}; returns
     * the bytes still missing (0 once caught up).
     */
    long catchUp(Server replica, String lsn, long segmentSize, Duration limit) {
        try (Connection c = replica.connect(); Statement st = c.createStatement()) {
            long deadline = System.nanoTime() + limit.toNanos();
            while (true) {
                long missing = missing(Lsn.parse(lsn), Lsn.parse(one(st, "SELECT coalesce(pg_last_wal_receive_lsn(), '0/0')")), segmentSize);
                if (missing == 0 || System.nanoTime() > deadline) {
                    return missing;
                }
                sleep(20);
            }
        } catch (SQLException e) {
            throw new LifeboatException(ErrorCode.FAILOVER_FAILED, "nothing promoted: " + replica.name() + " stopped answering while it caught up ("
                    + e.getMessage() + ")", UNDO_FENCE, e);
        }
    }

    /**
     * Bytes of WAL up to {@code end} not yet {@code received}. The primary's insert position just past a page boundary
     * points after the new page's header (40 bytes on a segment's first page, 24 on the others), which holds no record
     * and is sent only with the next one: a replica at the page's start has everything.
     */
    static long missing(Lsn end, Lsn received, long segmentSize) {
        if (!received.isBefore(end)) {
            return 0;
        }
        long pageStart = end.value() - end.value() % WAL_PAGE;
        long header = pageStart % segmentSize == 0 ? LONG_PAGE_HEADER : SHORT_PAGE_HEADER;
        boolean onlyTheHeader = end.value() - pageStart == header;
        return onlyTheHeader && !received.isBefore(new Lsn(pageStart)) ? 0 : end.minus(received);
    }

    /** PostgreSQL's WAL page size (XLOG_BLCKSZ, 8 KiB unless built otherwise) and its page header sizes. */
    static final long WAL_PAGE = 8192;
    static final long LONG_PAGE_HEADER = 40;
    static final long SHORT_PAGE_HEADER = 24;

    /** What to do about a fenced primary when the failover stops. */
    static final String UNDO_FENCE = "If the old primary was fenced (read-only) and is to take writes again instead: ALTER SYSTEM RESET "
            + "default_transaction_read_only; SELECT pg_reload_conf(); on it.";

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted during the failover", null, e);
        }
    }

    /**
     * Promotes and waits until the new primary accepts a write. {@code pg_promote} does not wait itself: a wait longer
     * than the connection's socket timeout would fail the command while the promotion went on.
     */
    public String promote(Server replica, Duration limit) {
        try (Connection c = replica.connect(); Statement st = c.createStatement()) {
            if (!"t".equals(one(st, "SELECT pg_promote(false)"))) {
                throw new LifeboatException(ErrorCode.FAILOVER_FAILED, replica.name() + " did not accept the promotion request", null);
            }
            long deadline = System.nanoTime() + limit.toNanos();
            while (one(st, "SELECT pg_is_in_recovery()").equals("t") || one(st, "SHOW transaction_read_only").equals("on")) {
                if (System.nanoTime() > deadline) {
                    throw new LifeboatException(ErrorCode.FAILOVER_FAILED, replica.name() + " was asked to promote but still refuses writes after "
                            + limit + " (it may still be replaying the WAL it received; pg_is_in_recovery() on it tells)", UNDO_FENCE);
                }
                sleep(20);
            }
            return one(st, "SELECT pg_current_wal_lsn()");
        } catch (SQLException e) {
            throw new LifeboatException(ErrorCode.FAILOVER_FAILED, "promoting " + replica.name() + " failed: " + e.getMessage(), UNDO_FENCE, e);
        }
    }

    /** check, fence (when the old primary is given), catch up, promote. */
    public Result run(Server replica, Optional<Server> primary, Duration limit) {
        Check check = check(replica, primary);
        if (check.promoteProblem().isPresent()) {
            throw new LifeboatException(ErrorCode.FAILOVER_FAILED, "nothing changed: " + check.promoteProblem().get(),
                    "Grant it, or fail over as a role that may promote; the old primary was not fenced.");
        }
        timeline.accept(check.primaryLsn().isPresent()
                ? String.format("%s is %s; it has received %s and replayed to %s, %d bytes behind the primary's %s", replica.name(),
                        check.receiverStatus().map(st -> "streaming".equals(st) ? st : "in recovery, its WAL receiver " + st)
                                .orElse("in recovery (its WAL receiver's state is not visible to the role, or none runs)"),
                        check.receiveLsn(), check.replayLsn(), check.lagBytes(), check.primaryLsn().get())
                : String.format("%s is in recovery; it has replayed to %s, %d bytes behind what it received, which it replays before promotion "
                        + "(the primary does not answer, so what it wrote but never sent cannot be measured)", replica.name(), check.replayLsn(),
                        check.lagBytes()));
        long t0 = System.nanoTime();
        Fence fence = primary.map(this::fence).orElse(new Fence(FenceState.NOT_NAMED, "no old primary named; not fenced", Optional.empty(), 0));
        timeline.accept(fence.note());
        if (fence.state() == FenceState.REFUSED) {
            if (!force) {
                throw new LifeboatException(ErrorCode.FAILOVER_FAILED, "nothing promoted: " + fence.note(),
                        "Let the plan's role fence it (superuser, or on PostgreSQL 15 and later GRANT ALTER SYSTEM ON PARAMETER "
                                + "default_transaction_read_only, EXECUTE on pg_reload_conf() and pg_signal_backend), or stop the old primary "
                                + "yourself and run again with --force.");
            }
            timeline.accept("promoting anyway (--force): the operator has stopped the old primary or cut it off");
        }
        long t1 = System.nanoTime();
        Optional<Long> loss = Optional.empty();
        if (fence.fenced()) {
            String end = fence.finalLsn().orElseThrow();
            long missing = catchUp(replica, end, fence.segmentSize(), limit);
            loss = Optional.of(missing);
            if (missing > 0 && !force) {
                throw new LifeboatException(ErrorCode.FAILOVER_FAILED, "nothing promoted: " + replica.name() + " has not received the last "
                        + missing + " bytes of WAL the fenced primary wrote (up to " + end + ") within " + limit
                        + "; promoting it now would lose the commits in them", "Wait and run again, or run again with --force to accept the loss. "
                        + UNDO_FENCE);
            }
            timeline.accept(missing == 0 ? replica.name() + " has received all of the fenced primary's WAL (up to " + end + "): no commit is lost"
                    : "promoting anyway (--force): " + missing + " bytes of the fenced primary's WAL are lost");
        }
        long t2 = System.nanoTime();
        String lsn = promote(replica, limit);
        long t3 = System.nanoTime();
        timeline.accept("promoted " + replica.name() + "; it takes writes at " + lsn);
        return new Result(check, fence, loss, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, lsn);
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
