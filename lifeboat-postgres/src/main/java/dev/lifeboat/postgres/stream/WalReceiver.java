package dev.lifeboat.postgres.stream;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.postgres.backup.PostgresTarget;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.TimelineHistory;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.postgres.wal.WalSegment;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * Streams a server's WAL into the repository over a physical replication slot, as a standby would receive it.
 * Whole segments are stored as they complete; the segment being filled is stored as {@code .partial} every
 * {@code flushEvery}, so the recovery point trails the server by about that interval. The position reported to
 * the server as flushed is only ever the end of WAL durable in the repository: the slot keeps everything else, so
 * a crash of the receiver loses nothing, and with {@code synchronous_standby_names} naming it, commits wait for the
 * repository (ADR 0006).
 */
public final class WalReceiver {
    private final PostgresTarget target;
    private final String slot;
    private final WalArchive archive;
    private final Duration flushEvery;
    private volatile Lsn received = Lsn.ZERO;
    private volatile Lsn durable = Lsn.ZERO;
    private volatile int timeline;
    private final RpoLag lag = new RpoLag();
    /** How long the stream may stay quiet before the server is asked whether it has WAL that did not arrive. */
    static final Duration LIVENESS = Duration.ofSeconds(10);
    /** How soon a second check follows one that found the server ahead. */
    static final Duration CONFIRM = Duration.ofSeconds(3);
    private Connection check;
    private volatile long outageOrigin;
    private Lsn serverAtConnect = Lsn.ZERO;
    private volatile boolean progressed;
    private volatile boolean started;

    private final java.util.function.Consumer<String> events;
    /** The server's timeline at the last liveness check (0 until one ran, and on a standby). */
    private int serverTimeline;
    /** A walsender of this agent's with no reply for this long serves a dead connection. */
    static final Duration STALE_SENDER = Duration.ofSeconds(15);
    /** A read of the stream that lasts this long is stuck; the watchdog closes the connection. */
    static final Duration STUCK = Duration.ofSeconds(60);
    /** When the read in progress began (System.nanoTime()), 0 between reads. */
    private volatile long readSince;
    private volatile boolean stuck;

    public WalReceiver(PostgresTarget target, String slot, WalArchive archive, Duration flushEvery) {
        this(target, slot, archive, flushEvery, event -> { });
    }

    /** {@code events} hears, in one sentence each, what the receiver decided on its own (a lost slot replaced). */
    public WalReceiver(PostgresTarget target, String slot, WalArchive archive, Duration flushEvery, java.util.function.Consumer<String> events) {
        if (!slot.matches("[a-z0-9_]{1,63}")) {
            throw new IllegalArgumentException("a slot name is 1 to 63 lower-case letters, digits or underscores");
        }
        this.target = target;
        this.slot = slot;
        this.archive = archive;
        this.flushEvery = flushEvery;
        this.events = events;
    }

    /** The application_name this receiver connects with: list it in synchronous_standby_names for RPO zero. */
    public static String applicationName(String slot) {
        return "lifeboat_" + slot;
    }

    /** End of the WAL received from the server. */
    public Lsn received() {
        return received;
    }

    /** End of the WAL durable in the repository (whole segments and the latest partial). */
    public Lsn durable() {
        return durable;
    }

    public int timeline() {
        return timeline;
    }

    /**
     * Marks this receiver as the one resuming after an outage that began at {@code originMillis} (the time the
     * oldest WAL then at risk had arrived): the backlog it streams counts as that old until it is durable.
     */
    public void resumesOutage(long originMillis) {
        outageOrigin = originMillis;
    }

    /** Whether this receiver made WAL durable that was not durable before it started. */
    public boolean progressed() {
        return progressed;
    }

    /** Whether the server accepted the replication stream (a receiver that failed before has never streamed). */
    public boolean started() {
        return started;
    }

    /** The recovery point lag now: how long the oldest received WAL has waited to be durable ({@link RpoLag}). */
    public long rpoLagMillis(long nowMillis) {
        return lag.lagMillis(nowMillis);
    }

    /** The slot a cluster's WAL streams through: {@code lifeboat_} and the cluster's name, other characters as {@code _}. */
    public static String slotName(String cluster) {
        return "lifeboat_" + cluster.replaceAll("[^a-z0-9_]", "_");
    }

    private Properties props(boolean replication) {
        Properties p = new Properties();
        PGProperty.USER.set(p, target.user());
        target.password().ifPresent(pw -> PGProperty.PASSWORD.set(p, pw));
        PGProperty.APPLICATION_NAME.set(p, applicationName(slot));
        // A server behind a dead link must not hang a connection attempt for ever.
        PGProperty.CONNECT_TIMEOUT.set(p, "10");
        PGProperty.LOGIN_TIMEOUT.set(p, "10");
        PGProperty.TCP_KEEP_ALIVE.set(p, "true");
        if (replication) {
            // No socket timeout here: pgjdbc would cut it to the 1 s status interval and end the stream whenever a
            // message takes longer than that to arrive. A stuck read is ended by the receiver's watchdog instead.
            PGProperty.REPLICATION.set(p, "true");
            PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
            PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        } else {
            PGProperty.SOCKET_TIMEOUT.set(p, "30");
        }
        return p;
    }

    /**
     * The server's flushed WAL position over a connection of its own (kept for the receiver's life, so an idle
     * cluster is not sent a new session every few seconds), or empty when it cannot tell (a standby receiving
     * nothing). Fails when the server does not answer within seconds.
     */
    private Optional<Lsn> serverPosition() {
        SQLException first;
        try {
            return askServer();
        } catch (SQLException e) {
            first = e; // a kept connection may have been closed by an idle timeout or a NAT: try a fresh one once
        }
        closeCheck();
        try {
            return askServer();
        } catch (SQLException e) {
            closeCheck();
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            if (!state.isEmpty() && !state.startsWith("08")) {
                return Optional.empty(); // the server answered, refusing (too many connections…): not a dead link
            }
            e.addSuppressed(first);
            throw unreachable("no answer to a liveness check after " + LIVENESS.toSeconds() + " s without WAL (" + e.getMessage() + ")",
                    "The link to the server may be down; the agent reconnects from the slot's position, so no WAL is lost.", e);
        }
    }

    private Optional<Lsn> askServer() throws SQLException {
        if (check == null || check.isClosed()) {
            Properties p = props(false);
            PGProperty.CONNECT_TIMEOUT.set(p, "5");
            PGProperty.LOGIN_TIMEOUT.set(p, "5");
            PGProperty.SOCKET_TIMEOUT.set(p, "5");
            check = DriverManager.getConnection(target.jdbcUrl(), p);
        }
        try (Statement st = check.createStatement(); ResultSet rs = st.executeQuery("SELECT CASE WHEN pg_is_in_recovery() "
                + "THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_flush_lsn() END, CASE WHEN pg_is_in_recovery() THEN NULL "
                + "ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::bigint END")) {
            rs.next();
            // A standby's timeline is told only by its walsender (IDENTIFY_SYSTEM); a standby that switches timelines
            // ends the stream itself. A server out of recovery (promoted) is compared here.
            long tli = rs.getLong(2);
            serverTimeline = rs.wasNull() ? 0 : (int) tli;
            return Optional.ofNullable(rs.getString(1)).map(Lsn::parse);
        }
    }

    /**
     * The server's timeline and WAL position as its walsender sees them (IDENTIFY_SYSTEM): on a primary its current
     * timeline and flushed WAL, on a standby the timeline it replays and the WAL it can pass on. SQL functions such as
     * pg_current_wal_lsn() fail during recovery; this works on both.
     */
    private Identity identify() throws SQLException {
        try (Connection c = DriverManager.getConnection(target.jdbcUrl(), props(true)); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("IDENTIFY_SYSTEM")) {
            rs.next();
            return new Identity(Long.parseUnsignedLong(rs.getString("systemid")), Integer.parseInt(rs.getString("timeline")),
                    Lsn.parse(rs.getString("xlogpos")));
        }
    }

    private record Identity(long systemId, int timeline, Lsn position) {
    }

    /**
     * A timeline's history file from the walsender (TIMELINE_HISTORY), which needs only the REPLICATION privilege
     * (pg_read_file would need superuser or pg_read_server_files); empty when the server does not have it.
     */
    private Optional<String> timelineHistory(int tli) throws SQLException {
        try (Connection c = DriverManager.getConnection(target.jdbcUrl(), props(true)); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("TIMELINE_HISTORY " + tli)) {
            if (!rs.next()) {
                return Optional.empty();
            }
            String content = rs.getString("content");
            return Optional.of(content.startsWith("\\x") ? new String(java.util.HexFormat.of().parseHex(content.substring(2)),
                    java.nio.charset.StandardCharsets.UTF_8) : content);
        } catch (SQLException e) {
            if ("58P01".equals(e.getSQLState())) { // undefined_file: a standby made by pg_basebackup lacks older ones
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * A walsender of this agent's that holds the slot but has had no reply for {@link #STALE_SENDER} serves a
     * connection that died silently (a partition, a killed agent on a host that went away): the server would keep it,
     * and the slot busy, until wal_sender_timeout (60 s by default). A live agent replies every second, so such a
     * walsender is terminated and the slot is free at once. Any other consumer of the slot is left alone.
     */
    private void releaseFromStaleSender(Connection c, int version) throws SQLException {
        String since = version >= 120000 ? "coalesce(r.reply_time, r.backend_start)" : "r.backend_start";
        try (PreparedStatement ps = c.prepareStatement("SELECT r.pid, extract(epoch FROM now() - " + since + ") FROM pg_replication_slots s "
                + "JOIN pg_stat_replication r ON r.pid = s.active_pid WHERE s.slot_name = ? AND s.active AND r.application_name = ?")) {
            ps.setString(1, slot);
            ps.setString(2, applicationName(slot));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getDouble(2) < STALE_SENDER.toSeconds()) {
                    return;
                }
                int pid = rs.getInt(1);
                long silent = Math.round(rs.getDouble(2));
                try (PreparedStatement kill = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
                    kill.setInt(1, pid);
                    kill.execute();
                }
                events.accept("terminated walsender " + pid + ", which held slot " + slot + " without a reply for " + silent
                        + " s (a connection of this agent that died silently), so streaming resumes now");
            }
        }
        for (int i = 0; i < 50; i++) { // the terminated walsender releases the slot as it exits
            try (PreparedStatement ps = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || !rs.getBoolean(1)) {
                        return;
                    }
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void closeCheck() {
        if (check != null) {
            try {
                check.close();
            } catch (SQLException e) {
                // it is going anyway
            }
            check = null;
        }
    }

    /** Streams until {@code stop} is set (or the server goes away, which is reported as a failure). */
    public void run(AtomicBoolean stop) {
        long segmentSize;
        Lsn start;
        try (Connection c = DriverManager.getConnection(target.jdbcUrl(), props(false)); Statement st = c.createStatement()) {
            segmentSize = Long.parseLong(one(st, "SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'"));
            Identity identity = identify();
            // Before anything is stored: this server's WAL must be the WAL stored under this cluster's name.
            archive.claim(identity.systemId());
            timeline = identity.timeline();
            int version = Integer.parseInt(one(st, "SELECT current_setting('server_version_num')"));
            releaseFromStaleSender(c, version);
            // Why a slot is unusable: wal_status 'lost' (PostgreSQL 13+), or any invalidation_reason (17+, which
            // adds reasons such as an idle timeout that keep restart_lsn).
            String invalid = version >= 170000 ? "coalesce(invalidation_reason, CASE WHEN wal_status = 'lost' THEN 'wal_removed' END)"
                    : version >= 130000 ? "CASE WHEN wal_status = 'lost' THEN 'wal_removed' END"
                    : "CASE WHEN restart_lsn IS NULL THEN 'wal_removed' END";
            Optional<String> restart = Optional.empty();
            Optional<String> invalidated = Optional.empty();
            boolean exists;
            try (PreparedStatement ps = c.prepareStatement("SELECT restart_lsn, " + invalid + " FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                    if (exists) {
                        restart = Optional.ofNullable(rs.getString(1));
                        invalidated = Optional.ofNullable(rs.getString(2));
                    }
                }
            }
            if (exists && (invalidated.isPresent() || restart.isEmpty())) {
                // The server invalidated the slot (max_slot_wal_keep_size, or another reason on newer servers), or
                // it never reserved WAL. WAL it was keeping may be gone: streaming on from a new slot keeps protecting
                // what comes next; a gap stays visible in 'verify --quick' and 'lifeboat status' until a new base
                // backup starts after it.
                st.execute("SELECT pg_drop_replication_slot('" + slot + "')");
                start = Lsn.parse(one(st, "SELECT lsn FROM pg_create_physical_replication_slot('" + slot + "', true)"));
                Lsn resumed = start;
                events.accept(invalidated.map(why -> "slot " + slot + " was invalidated by the server (" + why + (why.equals("wal_removed")
                                ? ", max_slot_wal_keep_size" : "") + "): WAL it kept for the repository may have been removed before it "
                                + "was stored; replaced the slot, streaming resumes at " + resumed + ". Recovery cannot pass a gap: take a new "
                                + "base backup now (lifeboat backup postgres)")
                        .orElse("slot " + slot + " had no WAL reserved; recreated it reserving WAL from " + resumed));
            } else if (exists) {
                start = Lsn.parse(restart.get());
                // A slot another repository advanced (one server protected by two plans under one cluster name), or a
                // repository swapped for another, is past this repository's WAL: the WAL between is not in it.
                Optional<Lsn> storedEnd = archive.storedEnd(segmentSize);
                if (storedEnd.isPresent() && WalSegment.of(timeline, start, segmentSize).start().isAfter(storedEnd.get())) {
                    events.accept("slot " + slot + " is at " + start + ", but the repository's WAL of this cluster ends at " + storedEnd.get()
                            + ": the WAL between was not stored here and recovery cannot pass that gap ('verify --quick' names it). "
                            + "If another repository streams from this slot, give each its own cluster name; take a new base backup now "
                            + "(lifeboat backup postgres)");
                }
            } else {
                start = Lsn.parse(one(st, "SELECT lsn FROM pg_create_physical_replication_slot('" + slot + "', true)"));
                // A new slot reserves WAL from the server's last checkpoint on: if the repository's WAL ends before
                // that (the agent streams from another server now, or its slot was dropped), the WAL between is gone
                // for the repository, and recovery cannot pass the gap.
                Optional<Lsn> storedEnd = archive.storedEnd(segmentSize);
                if (storedEnd.isPresent() && WalSegment.of(timeline, start, segmentSize).start().isAfter(storedEnd.get())) {
                    events.accept("slot " + slot + " did not exist; created it at " + start + ", but the repository's WAL of this cluster "
                            + "ends at " + storedEnd.get() + ": the WAL between was not stored and recovery cannot pass that gap "
                            + "('verify --quick' names it). Take a new base backup now (lifeboat backup postgres)");
                }
            }
            Lsn slotStart = start;
            start = followTimeline(start, segmentSize);
            fromSwitch = !start.equals(slotStart) && start.isBefore(slotStart) ? Optional.of(slotStart) : Optional.empty();
            serverAtConnect = identity.position();
        } catch (SQLException e) {
            throw failure(e);
        }
        // Whole segments only: start at the beginning of the segment holding the slot's position.
        WalSegment segment = WalSegment.of(timeline, start, segmentSize);
        byte[] buffer = new byte[(int) segmentSize];
        int filled = 0;
        // What an earlier run already stored of this segment: pieces start after it, so nothing stored is rewritten.
        int stored = archive.partial(segment).map(b -> b.length).orElse(0);
        received = segment.start();
        // What an earlier run stored of this segment is durable already: streaming it again must not count as lag.
        durable = segment.start().plus(stored);
        lag.durable(durable);
        java.util.concurrent.ScheduledExecutorService watchdog = null;
        try (Connection c = DriverManager.getConnection(target.jdbcUrl(), props(true))) {
            PGReplicationStream stream = c.unwrap(PGConnection.class).getReplicationAPI().replicationStream().physical()
                    .withSlotName(slot).withStartPosition(LogSequenceNumber.valueOf(segment.start().value()))
                    .withStatusInterval(1, java.util.concurrent.TimeUnit.SECONDS).start();
            started = true;
            watchdog = watch(c);
            long lastFlush = System.nanoTime();
            long lastData = System.nanoTime();
            long lastCheck = System.nanoTime();
            Lsn suspect = null; // the server's WAL position at a check that found it ahead of what had arrived
            boolean ackStored = stored > 0; // synchronous waiters need to hear about WAL an earlier run stored
            if (outageOrigin > 0) {
                // Streaming resumes after an outage: the backlog the server kept meanwhile is as old as the outage.
                lag.arrived(serverAtConnect, outageOrigin);
            } else if (serverAtConnect.isAfter(durable)) {
                // The agent (re)starts with a backlog the slot kept while nothing ran: it is as old as the newest WAL the
                // repository holds, not new, so the lag shows the catch-up instead of reading ~0 throughout it.
                archive.newestObjectTime().ifPresent(t -> lag.arrived(serverAtConnect, t.toEpochMilli()));
            }
            while (!stop.get()) {
                readSince = System.nanoTime();
                ByteBuffer data = stream.readPending();
                readSince = 0;
                if (data == null && stream.isClosed()) {
                    throw unreachable("the server ended the WAL stream of timeline " + timeline + " at " + received + " (the end of a timeline)",
                            FOLLOWS, null);
                }
                long sinceCheck = System.nanoTime() - lastCheck;
                if (data == null && System.nanoTime() - lastData >= LIVENESS.toNanos()
                        && sinceCheck >= (suspect != null ? CONFIRM.toNanos() : LIVENESS.toNanos())) {
                    // Quiet for a while: an idle server, or a link that died without a reset (writes into a dead TCP
                    // connection succeed for many minutes). Ask the server where its flushed WAL is. WAL flushed just
                    // now may be on its way, so a stall is called only when a second check finds the WAL the first
                    // one saw still missing.
                    lastCheck = System.nanoTime();
                    Optional<Lsn> server = serverPosition();
                    if (serverTimeline > timeline) {
                        // The server was promoted: this stream carries a timeline that has ended, and its walsender may
                        // not say so. Reconnecting follows the new one.
                        throw unreachable("the server is on timeline " + serverTimeline + " now and this stream carries timeline " + timeline
                                + " (a promotion); received up to " + received, FOLLOWS, null);
                    }
                    if (suspect != null && suspect.isAfter(received)) {
                        throw unreachable("the WAL stream stalled: the server had flushed up to " + suspect + " but nothing beyond " + received
                                + " arrived for " + (System.nanoTime() - lastData) / 1_000_000_000L + " s", RECONNECTS, null);
                    }
                    suspect = server.filter(l -> l.isAfter(received)).orElse(null);
                }
                if (data == null) {
                    if (filled > stored && received.isAfter(durable) && System.nanoTime() - lastFlush >= flushEvery.toNanos()) {
                        archive.putPartialPiece(segment, buffer, stored, filled);
                        stored = filled;
                        acknowledge(stream, received);
                        lastFlush = System.nanoTime();
                    }
                    // Synchronous mode (flush every 0) acknowledges as soon as the server pauses: poll often.
                    Thread.sleep(flushEvery.isZero() ? 1 : 10);
                    continue;
                }
                lastData = System.nanoTime();
                // For physical streams pgjdbc reports the end of the message; the data starts before it.
                Lsn at = new Lsn(stream.getLastReceiveLSN().asLong() - data.remaining());
                lag.arrived(new Lsn(stream.getLastReceiveLSN().asLong()), System.currentTimeMillis());
                while (data.hasRemaining()) {
                    if (!segment.contains(at)) {
                        throw new IllegalStateException("WAL at " + at + " does not follow segment " + segment + " (received up to " + received + ")");
                    }
                    int offset = (int) at.segmentOffset(segmentSize);
                    int n = Math.min(data.remaining(), buffer.length - offset);
                    data.get(buffer, offset, n);
                    filled = offset + n;
                    at = at.plus(n);
                    received = at;
                    if (filled == buffer.length) {
                        archive.putSegment(segment, buffer);
                        acknowledge(stream, segment.end());
                        segment = segment.next();
                        buffer = new byte[(int) segmentSize];
                        filled = 0;
                        stored = 0;
                        lastFlush = System.nanoTime();
                    }
                }
                if (ackStored && !received.isBefore(durable)) {
                    // What an earlier run stored has arrived again: tell the server at once, not at the next message,
                    // which an idle server may not send while a synchronous commit waits for this acknowledgement.
                    acknowledge(stream, durable);
                    ackStored = false;
                }
                // Under a steady stream the server may never pause; the partial segment is still stored every
                // flushEvery, so the recovery point keeps up with the load (synchronous mode stores at each pause).
                if (!flushEvery.isZero() && filled > stored && received.isAfter(durable) && System.nanoTime() - lastFlush >= flushEvery.toNanos()) {
                    archive.putPartialPiece(segment, buffer, stored, filled);
                    stored = filled;
                    acknowledge(stream, received);
                    lastFlush = System.nanoTime();
                }
            }
            if (filled > stored && received.isAfter(durable)) {
                archive.putPartialPiece(segment, buffer, stored, filled);
                acknowledge(stream, received);
            }
            stream.close();
        } catch (SQLException e) {
            throw failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (watchdog != null) {
                watchdog.shutdownNow();
            }
            closeCheck();
        }
    }

    /**
     * Closes the replication connection when one read has lasted {@link #STUCK}: reads are non-blocking, except
     * inside pgjdbc after the server ended the stream (it waits for a reply that may never come). The closed
     * connection fails the read, and the supervisor reconnects. Time in store writes does not count.
     */
    private java.util.concurrent.ScheduledExecutorService watch(Connection c) {
        java.util.concurrent.ScheduledExecutorService w = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lifeboat-wal-watchdog");
            t.setDaemon(true);
            return t;
        });
        w.scheduleWithFixedDelay(() -> {
            long since = readSince;
            if (since != 0 && System.nanoTime() - since > STUCK.toNanos() && !stuck) {
                stuck = true;
                try {
                    c.close();
                } catch (SQLException e) {
                    // closing is all that was wanted
                }
            }
        }, 5, 5, java.util.concurrent.TimeUnit.SECONDS);
        return w;
    }

    /**
     * After a promotion the server is on a newer timeline: its history files go to the repository (recovery needs
     * them to follow the switch), and if nothing of this timeline is archived yet, streaming starts where the
     * timeline begins rather than at the new slot's position, so the WAL between the old timeline's end and the
     * slot is not skipped. History files come from the walsender (TIMELINE_HISTORY), as the REPLICATION privilege allows.
     */
    private Lsn followTimeline(Lsn slotStart, long segmentSize) throws SQLException {
        if (timeline <= 1) {
            return slotStart;
        }
        for (int tli = 2; tli <= timeline; tli++) {
            if (archive.history(tli).isEmpty()) {
                String file = TimelineHistory.fileName(tli);
                Optional<String> content = timelineHistory(tli);
                if (content.isEmpty()) {
                    if (tli == timeline) {
                        throw new SQLException("the server on timeline " + tli + " does not have its history file " + file, "58P01");
                    }
                    // A standby made by pg_basebackup holds only its own timeline's file; that file lists every
                    // earlier switch, which is all recovery needs.
                    events.accept("timeline " + tli + ": its history file " + file + " is not on the server; the current timeline's lists it");
                    continue;
                }
                archive.putHistory(tli, content.get());
                events.accept("timeline " + tli + ": stored its history file " + file + " (recovery needs it to follow the switch)");
            }
        }
        String own = new String(archive.history(timeline).orElseThrow(), java.nio.charset.StandardCharsets.UTF_8);
        TimelineHistory history = TimelineHistory.parse(timeline, own);
        Lsn begins = history.switches().get(history.switches().size() - 1).at();
        if (WalSegment.of(timeline, slotStart, segmentSize).number() < WalSegment.of(timeline, begins, segmentSize).number()) {
            // The slot lies in an ancestor timeline's segments, which the walsender would look for under this
            // timeline's name and not find (pgjdbc cannot ask for another timeline). Streaming starts where this
            // timeline begins; whether WAL before it is missing, the stored end says.
            // This timeline's copy of the segment holding the switch carries the ancestor's WAL from the segment's
            // start: the repository needs the ancestor's only up to there.
            Optional<Lsn> storedEnd = archive.storedEnd(segmentSize);
            boolean covered = storedEnd.isPresent() && !storedEnd.get().isBefore(WalSegment.of(timeline, begins, segmentSize).start());
            events.accept("slot " + slot + " is at " + slotStart + ", on timeline " + history.switches().get(history.switches().size() - 1).parent()
                    + " before timeline " + timeline + " began at " + begins + "; streaming starts at " + begins + (covered
                    ? " (the repository holds the WAL before it)"
                    : ", and the WAL from " + storedEnd.map(Lsn::toString).orElse("the slot") + " to " + begins + " is not in the repository: "
                            + "recovery cannot pass that gap ('verify --quick' names it); take a new base backup now (lifeboat backup postgres)"));
            return begins;
        }
        boolean archivedOnThisTimeline = archive.objects(segmentSize).stream()
                .anyMatch(a -> a.segment().map(s -> s.timeline() == timeline).orElse(false));
        if (archivedOnThisTimeline || !begins.isBefore(slotStart)) {
            return slotStart;
        }
        // Nothing of this timeline is stored yet. Its copy of the segment holding the switch joins the ancestor's WAL
        // to this timeline's; it is worth streaming from there only when the repository's WAL reaches that segment.
        // Otherwise (Lifeboat set up on a cluster promoted long ago) the server has removed that segment, asking for
        // it would fail at every reconnect, and the repository's WAL starts at the slot.
        Optional<Lsn> storedEnd = archive.storedEnd(segmentSize);
        Lsn switchSegment = WalSegment.of(timeline, begins, segmentSize).start();
        boolean gone = SWITCH_GONE.contains(slot + "@" + timeline);
        if (storedEnd.isPresent() && !storedEnd.get().isBefore(switchSegment) && !gone) {
            return begins;
        }
        if (storedEnd.isPresent()) {
            events.accept("timeline " + timeline + " began at " + begins + ", but " + (gone ? "the server no longer has the segment it began in"
                    : "the repository's WAL of this cluster ends at " + storedEnd.get()) + ": streaming starts at the slot's " + slotStart
                    + ", and recovery cannot pass the gap before it ('verify --quick' names it); take a new base backup now (lifeboat backup postgres)");
        }
        return slotStart;
    }

    private void acknowledge(PGReplicationStream stream, Lsn upTo) throws SQLException {
        progressed |= upTo.isAfter(durable);
        durable = upTo;
        lag.durable(upTo);
        LogSequenceNumber lsn = LogSequenceNumber.valueOf(upTo.value());
        stream.setFlushedLSN(lsn);
        stream.setAppliedLSN(lsn);
        stream.forceUpdateStatus();
    }

    private static final String RECONNECTS = "The agent reconnects from the slot's position, so no WAL is lost.";
    private static final String FOLLOWS = "The agent reconnects at once from the slot's position, following a new timeline if there is one; "
            + "no WAL is lost.";

    /** The stream ended or cannot go on ({@code source-unreachable}); the supervisor reconnects. */
    private LifeboatException unreachable(String why, String hint, Throwable cause) {
        return new LifeboatException(ErrorCode.SOURCE_UNREACHABLE, ErrorCode.SOURCE_UNREACHABLE.format(target.jdbcUrl(), why), hint, cause);
    }

    /**
     * Slots (with their timeline) whose server no longer has the segment the timeline began in: the next receiver
     * of this process streams from the slot instead, and says what the repository lacks (the agent's receivers come
     * and go; the server's answer stays true).
     */
    private static final java.util.Set<String> SWITCH_GONE = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The slot's own start, when this receiver started earlier, at the timeline switch. */
    private Optional<Lsn> fromSwitch = Optional.empty();

    private LifeboatException failure(SQLException e) {
        // The server says so at once, or at the stream's first read: either way before anything of it was stored.
        if (fromSwitch.isPresent() && !progressed && String.valueOf(e.getMessage()).contains("has already been removed")) {
            SWITCH_GONE.add(slot + "@" + timeline);
            return unreachable("the server no longer has the segment timeline " + timeline + " began in (" + e.getMessage() + ")",
                    "The agent reconnects at once from the slot's position " + fromSwitch.get() + " and names the gap before it.", e);
        }
        if (stuck) {
            return unreachable("the WAL stream was stuck in a read for " + STUCK.toSeconds() + " s at " + received + "; closed it", RECONNECTS, e);
        }
        if (started && String.valueOf(e.getMessage()).contains("inactive copy operation")) {
            // pgjdbc's words for a stream that ended under it: the server ended the timeline it carried (a promotion),
            // or the connection broke.
            return unreachable("the WAL stream of timeline " + timeline + " ended at " + received
                    + " (the server ended the timeline, or the link broke)", FOLLOWS, e);
        }
        return new LifeboatException(ErrorCode.PROCESS_FAILED, ErrorCode.PROCESS_FAILED.format("WAL streaming from " + target.jdbcUrl(),
                e.getMessage()), "Check that the role has REPLICATION, that pg_hba.conf allows replication connections, "
                + "and that max_replication_slots and max_wal_senders have room.", e);
    }

    private static String one(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
