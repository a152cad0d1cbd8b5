package dev.lifeboat.postgres.recovery;

import java.time.Instant;
import java.util.Optional;

/**
 * Where recovery stops: a time, or the end of all WAL available ({@link #latest()}). LSN, transaction id and named
 * restore point targets come with the {@code recover} command (issue 4).
 */
public record RecoveryTarget(Optional<Instant> time) {
    /** PostgreSQL reads timestamptz as {@code 2026-11-24 00:59:38.184433+00}, not ISO's {@code T…Z}. */
    private static final java.time.format.DateTimeFormatter POSTGRES_TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS'+00'").withZone(java.time.ZoneOffset.UTC);

    public static RecoveryTarget latest() {
        return new RecoveryTarget(Optional.empty());
    }

    public static RecoveryTarget at(Instant time) {
        return new RecoveryTarget(Optional.of(time));
    }

    /** The postgresql.conf lines that make PostgreSQL stop here and open for writes. */
    String settings() {
        return time.map(t -> "recovery_target_time = '" + POSTGRES_TIME.format(t) + "'\nrecovery_target_inclusive = false\n").orElse("")
                + "recovery_target_action = 'promote'\n";
    }

    @Override
    public String toString() {
        return time.map(Instant::toString).orElse("latest");
    }
}
