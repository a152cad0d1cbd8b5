package dev.lifeboat.postgres.recovery;

import dev.lifeboat.postgres.wal.Lsn;
import java.time.Instant;
import java.util.Optional;

/**
 * Where recovery stops and what the server does there. At most one of a time, an LSN, a transaction id or a named
 * restore point ({@code pg_create_restore_point}); none means the end of all WAL available ({@link #latest()}).
 * Time targets stop just before the first commit at or after the time; LSN, xid and name targets stop just after
 * the target, as PostgreSQL's defaults do. With {@code pause}, the server stays in recovery at the target (read-only,
 * for inspection; {@code SELECT pg_wal_replay_resume()} then promotes) instead of promoting.
 */
public record RecoveryTarget(Optional<Instant> time, Optional<Lsn> lsn, Optional<String> xid, Optional<String> name, boolean pause) {
    /** PostgreSQL reads timestamptz as {@code 2026-11-24 00:59:38.184433+00}, not ISO's {@code T…Z}. */
    private static final java.time.format.DateTimeFormatter POSTGRES_TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS'+00'").withZone(java.time.ZoneOffset.UTC);

    public RecoveryTarget {
        int given = (time.isPresent() ? 1 : 0) + (lsn.isPresent() ? 1 : 0) + (xid.isPresent() ? 1 : 0) + (name.isPresent() ? 1 : 0);
        if (given > 1) {
            throw new IllegalArgumentException("a recovery target is one of a time, an LSN, a transaction id or a restore point name");
        }
        xid.ifPresent(x -> {
            if (!x.matches("[0-9]{1,20}")) {
                throw new IllegalArgumentException("a transaction id is a number, not '" + x + "'");
            }
        });
        name.ifPresent(n -> {
            if (n.isEmpty() || n.contains("'") || n.length() > 63) {
                throw new IllegalArgumentException("a restore point name is 1 to 63 characters without quotes");
            }
        });
    }

    public static RecoveryTarget latest() {
        return new RecoveryTarget(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false);
    }

    public static RecoveryTarget at(Instant time) {
        return new RecoveryTarget(Optional.of(time), Optional.empty(), Optional.empty(), Optional.empty(), false);
    }

    public static RecoveryTarget atLsn(Lsn lsn) {
        return new RecoveryTarget(Optional.empty(), Optional.of(lsn), Optional.empty(), Optional.empty(), false);
    }

    public static RecoveryTarget atXid(String xid) {
        return new RecoveryTarget(Optional.empty(), Optional.empty(), Optional.of(xid), Optional.empty(), false);
    }

    public static RecoveryTarget atName(String name) {
        return new RecoveryTarget(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(name), false);
    }

    /** The same target, pausing there instead of promoting. */
    public RecoveryTarget pausing() {
        return new RecoveryTarget(time, lsn, xid, name, true);
    }

    /** Whether WAL is replayed to its end (no target). */
    public boolean isLatest() {
        return time.isEmpty() && lsn.isEmpty() && xid.isEmpty() && name.isEmpty();
    }

    /** The postgresql.conf lines that make PostgreSQL stop here and then promote or pause. */
    String settings() {
        // Every target setting is first emptied, then the one wanted is set: the restored postgresql.auto.conf may
        // carry an earlier recovery's target (a copy that became the primary was backed up with it), and PostgreSQL
        // applies the lines in order, refusing a second target while the old one is still set.
        StringBuilder s = new StringBuilder("recovery_target = ''\nrecovery_target_time = ''\nrecovery_target_lsn = ''\n"
                + "recovery_target_xid = ''\nrecovery_target_name = ''\n");
        time.ifPresent(t -> s.append("recovery_target_time = '").append(POSTGRES_TIME.format(t)).append("'\n"));
        lsn.ifPresent(l -> s.append("recovery_target_lsn = '").append(l).append("'\n"));
        xid.ifPresent(x -> s.append("recovery_target_xid = '").append(x).append("'\n"));
        name.ifPresent(n -> s.append("recovery_target_name = '").append(n).append("'\n"));
        s.append("recovery_target_inclusive = ").append(time.isPresent() ? "false" : "true").append("\n");
        // Without a target, PostgreSQL ignores the action and promotes at the end of WAL.
        s.append("recovery_target_action = '").append(pause && !isLatest() ? "pause" : "promote").append("'\n");
        return s.toString();
    }

    @Override
    public String toString() {
        String where = time.map(Instant::toString).or(() -> lsn.map(l -> "LSN " + l)).or(() -> xid.map(x -> "transaction " + x))
                .or(() -> name.map(n -> "restore point '" + n + "'")).orElse("latest");
        return pause && !isLatest() ? where + " (pause there)" : where;
    }
}
