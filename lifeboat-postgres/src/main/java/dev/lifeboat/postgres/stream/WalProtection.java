package dev.lifeboat.postgres.stream;

import dev.lifeboat.core.time.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Judges one cluster's continuous WAL protection from the server's view and the repository's newest WAL, against
 * the plan's RPO: the recovery point lag now, and every problem an operator must act on. A pure function, so each
 * rule is tested without servers.
 *
 * <p>The lag, by mode:
 * <ul>
 *   <li><b>streaming</b>: 0 when the agent has confirmed everything the server wrote; otherwise the walsender's
 *       {@code flush_lag} (the agent confirms WAL only once it is durable in the repository) plus the time since the
 *       agent last reported ({@code reply_time}: a stuck agent stops reporting while {@code flush_lag} keeps its last
 *       value); with no walsender, the age of the newest WAL object in the repository;</li>
 *   <li><b>archiving</b> (archive_command): the age of the last archived segment, since the segment being filled
 *       reaches the repository only when it is switched (archive_timeout bounds that);</li>
 *   <li><b>none</b>: no continuous WAL, so the recovery point is the newest backup; not judged here.</li>
 * </ul>
 */
public final class WalProtection {
    public enum Mode { STREAMING, ARCHIVING, NONE }

    /**
     * @param rpoLag   the recovery point lag now, when it can be told
     * @param basis    how the lag was worked out, one phrase
     * @param problems what breaks the plan's RPO or will soon (empty: protected)
     * @param notes    what is worth knowing but needs no action
     */
    public record Assessment(Optional<Duration> rpoLag, String basis, List<String> problems, List<String> notes) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private WalProtection() {
    }

    public static Assessment assess(Mode mode, Optional<ServerView> server, Optional<String> serverError, Optional<Instant> newestWalStored,
                                    Optional<Duration> target, Instant now) {
        return assess(mode, server, serverError, newestWalStored, target, now, Optional.empty());
    }

    /**
     * As above, for an agent that streams from a standby ({@code upstream}: how the primary feeds it): the standby's
     * own lag adds to the recovery point lag, and a standby that receives nothing is a problem.
     */
    public static Assessment assess(Mode mode, Optional<ServerView> server, Optional<String> serverError, Optional<Instant> newestWalStored,
                                    Optional<Duration> target, Instant now, Optional<Upstream> upstream) {
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Optional<Duration> storedAge = newestWalStored.map(t -> nonNegative(Duration.between(t, now)));
        Optional<Duration> lag = Optional.empty();
        String basis;
        if (mode == Mode.NONE) {
            notes.add("no 'wal' schedule covers this cluster: the recovery point is its newest backup");
            return new Assessment(Optional.empty(), "no continuous WAL", problems, notes);
        }
        if (server.isEmpty()) {
            problems.add("the server does not answer (" + serverError.orElse("unknown error") + ")");
            lag = storedAge;
            basis = "age of the newest WAL in the repository (the server cannot be asked)";
        } else if (mode == Mode.STREAMING) {
            ServerView v = server.get();
            String slotName = v.slot().map(ServerView.Slot::name).orElse("the agent's slot");
            if (v.sender().isPresent()) {
                ServerView.Sender s = v.sender().get();
                if (s.behindBytes() == 0) {
                    lag = Optional.of(Duration.ZERO);
                    basis = "the agent has confirmed everything the server wrote";
                } else if (s.lastReplySeconds().isPresent()) {
                    // The newest confirmed WAL took flush_lag; nothing newer was confirmed since the agent's last report.
                    Duration flush = seconds(s.flushLagSeconds().orElse(0.0));
                    lag = Optional.of(flush.plus(seconds(s.lastReplySeconds().get())));
                    basis = "flush_lag of the agent's walsender plus the time since its last report; " + s.behindBytes()
                            + " bytes not yet confirmed";
                } else { // before PostgreSQL 12 the server does not say when the agent last reported
                    Duration flush = seconds(s.flushLagSeconds().orElse(0.0));
                    lag = Optional.of(storedAge.filter(a -> a.compareTo(flush) > 0).orElse(flush));
                    basis = "flush_lag of the agent's walsender and the age of the newest WAL in the repository; " + s.behindBytes()
                            + " bytes not yet confirmed";
                }
                if ("sync".equals(s.syncState()) || "quorum".equals(s.syncState())) {
                    notes.add("synchronous: commits wait until their WAL is in the repository");
                }
            } else {
                boolean behind = v.slot().flatMap(ServerView.Slot::restartLsn).map(r -> v.position().isAfter(r)).orElse(true);
                problems.add("the agent is not streaming: the server has no walsender for it (is 'lifeboat agent' running?)");
                lag = behind ? storedAge : Optional.of(Duration.ZERO);
                basis = behind ? "age of the newest WAL in the repository (nothing streams)" : "the slot holds nothing unconfirmed";
            }
            if (v.slot().isEmpty()) {
                problems.add("no replication slot " + slotName + " on the server (the agent creates it when it starts; without it the "
                        + "server may remove WAL before it is stored)");
            } else {
                ServerView.Slot slot = v.slot().get();
                String status = slot.walStatus().orElse("");
                if (status.equals("lost")) {
                    problems.add("slot " + slot.name() + " has lost WAL (max_slot_wal_keep_size " + v.maxSlotWalKeepSize()
                            + "): recovery cannot pass the gap; take a new backup and see 'verify --quick'");
                } else if (status.equals("unreserved")) {
                    problems.add("slot " + slot.name() + " holds " + mib(slot.retainedBytes()) + " of pg_wal, beyond max_slot_wal_keep_size "
                            + v.maxSlotWalKeepSize() + ": the server will remove WAL the repository does not have yet");
                } else if (!v.sender().isPresent() && slot.retainedBytes() > 0 && "-1".equals(v.maxSlotWalKeepSize())) {
                    problems.add("pg_wal grows with nothing consuming it: slot " + slot.name() + " holds " + mib(slot.retainedBytes())
                            + " and max_slot_wal_keep_size is unlimited");
                }
                notes.add("slot " + slot.name() + (slot.active() ? " active" : " inactive") + ", holding " + mib(slot.retainedBytes())
                        + " of pg_wal" + slot.walStatus().map(w -> " (wal_status " + w + ")").orElse("")
                        + slot.safeWalSizeBytes().map(b -> ", " + mib(b) + " until the server may remove WAL").orElse(""));
            }
        } else {
            ServerView v = server.get();
            if (v.archiver().isEmpty()) {
                problems.add("archive_mode is off: nothing hands WAL to archive_command");
                basis = "archive_mode is off";
            } else {
                ServerView.Archiver a = v.archiver().get();
                if (a.allArchived()) {
                    // An idle primary writes nothing after its last switch: its recovery point is not getting older.
                    lag = Optional.of(Duration.ZERO);
                    basis = "everything the server wrote is archived (nothing written since segment " + a.lastArchivedWal().orElse("?") + ")";
                } else {
                    lag = a.lastArchivedTime().map(t -> nonNegative(Duration.between(t, now)));
                    basis = "age of the last archived segment (the segment being filled is archived when it is switched; archive_timeout bounds this)";
                }
                if (a.lastFailedTime().isPresent() && a.lastArchivedTime().map(t -> a.lastFailedTime().get().isAfter(t)).orElse(true)) {
                    problems.add("archive_command is failing: " + a.lastFailedWal().orElse("a segment") + " failed at " + a.lastFailedTime().get()
                            + " (" + a.failedCount() + " failures since the statistics were reset)");
                }
                if (a.lastArchivedWal().isEmpty()) {
                    notes.add("nothing archived yet");
                }
            }
        }
        if (upstream.isPresent() && server.isPresent()) {
            Upstream u = upstream.get();
            String behind = u.behindBytes().map(b -> ", " + mib(b) + " behind the primary").orElse("");
            if (u.statsHidden() && u.closeBehind()) {
                notes.add("replica " + u.replica() + " hides its WAL receiver's state (the role lacks pg_read_all_stats there), but " + (u.lacksWal()
                        ? "is within a segment of the primary" + behind : "has all of the primary's WAL"));
            } else if (!u.receiving()) {
                problems.add("replica " + u.replica() + ", which the agent streams from, " + (u.statsHidden() ? "hides whether it receives WAL "
                        + "from the primary (the role lacks pg_read_all_stats there; GRANT it)" : "is not receiving WAL from the primary") + behind
                        + u.sinceLastMessage().map(sec -> " (last heard from it " + Durations.formatBrief(seconds(sec)) + " ago)").orElse("")
                        + ": what the primary writes now is not protected; repair the replica or stream from the primary (remove 'from')");
                Optional<Duration> silent = u.silence();
                if (silent.isPresent()) {
                    Duration d = silent.get();
                    lag = Optional.of(lag.filter(l -> l.compareTo(d) >= 0).orElse(d));
                    basis = basis + "; the replica receives nothing: WAL it lacks counts from " + (u.sinceLastMessage().isPresent()
                            ? "its last message from the primary" : "the last commit it replayed");
                }
            } else if (u.addedLag().isPresent() && server.get().sender().isPresent()) {
                Duration upstreamLag = u.addedLag().get();
                lag = lag.map(l -> l.plus(upstreamLag));
                basis = basis + "; plus the replica's own flush_lag behind the primary";
            }
            notes.add("streaming from replica " + u.replica() + (u.receiving() ? ", which receives from the primary" : "") + behind
                    + (u.usesSlot() ? "" : "; it uses no slot on the primary, so its own lag is not measured in time")
                    + u.primaryError().map(e -> "; the primary cannot be asked how far the replica trails (" + e + ")").orElse(""));
        }
        if (lag.isPresent() && target.isPresent() && lag.get().compareTo(target.get()) > 0) {
            problems.add("the recovery point lags " + Durations.formatBrief(lag.get()) + ", more than the RPO target " + Durations.formatBrief(target.get()));
        }
        if (lag.isEmpty() && problems.isEmpty()) {
            notes.add("the lag cannot be told yet");
        }
        return new Assessment(lag, basis, problems, notes);
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.max(0, Math.round(s * 1000)));
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    static String mib(long bytes) {
        return bytes < 1 << 20 ? bytes + " bytes" : String.format("%.0f MiB", bytes / 1048576.0);
    }

}
