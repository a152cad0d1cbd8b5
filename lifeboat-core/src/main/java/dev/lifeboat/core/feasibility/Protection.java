package dev.lifeboat.core.feasibility;

import dev.lifeboat.core.time.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How one resource is protected by the plan's schedules, and the worst-case recovery point that protection alone
 * delivers: the smallest max-lag of its continuous jobs, or else the longest gap between its backups.
 *
 * @param continuous   max-lag of the tightest continuous job (wal, mirror), if any
 * @param scheduledGap longest gap between consecutive backups of all its cron backup schedules, if any
 * @param schedules    names of the schedules that protect it
 * @param notRun       schedules that name it but that this build does not run for it, each with why ({@link JobSupport})
 */
public record Protection(String resource, String kind, Optional<Duration> continuous, Optional<Duration> scheduledGap,
                         List<String> schedules, List<String> notRun) {

    public boolean exists() {
        return continuous.isPresent() || scheduledGap.isPresent();
    }

    /** The worst-case recovery point: continuous protection wins over scheduled backups. */
    public Optional<Duration> worstCase() {
        return continuous.isPresent() ? continuous : scheduledGap;
    }

    /** One phrase saying how the resource is protected, e.g. "WAL streamed continuously (max lag 5m)". */
    public String describe() {
        if (!exists()) {
            return kind + " '" + resource + "' is protected by no schedule" + (notRun.isEmpty() ? "" : " this build runs ("
                    + String.join("; ", notRun) + ")");
        }
        List<String> parts = new ArrayList<>();
        continuous.ifPresent(lag -> parts.add((kind.startsWith("PostgreSQL") ? "WAL streamed" : "mirrored")
                + " continuously (max lag " + Durations.format(lag) + ")"));
        scheduledGap.ifPresent(gap -> parts.add("backed up with at most " + Durations.format(gap) + " between backups"));
        return String.join(", ", parts) + " [" + String.join(", ", schedules) + "]";
    }
}
