package dev.lifeboat.postgres.recovery;

import java.util.ArrayList;
import java.util.List;

/**
 * Settings that stop a restored copy from acting as the cluster it was copied from, whose configuration it carries:
 * its archive_command would archive the copy's new timeline into the original's archive (where a later recovery of
 * the original could follow it), and the original's {@code synchronous_standby_names} would make every commit on
 * the copy wait for a standby that never connects, and its subscriptions would start apply workers that consume the
 * publishers' slots the original's subscriptions use (the original would then miss those changes); an external PID
 * file or an absolute log directory would be the original's too. A backup taken from a standby also carries the
 * standby's recovery-side commands: its {@code archive_cleanup_command} runs at every restartpoint of the copy's
 * archive recovery and would delete from the original's archive, its {@code recovery_end_command} would run the
 * original's end-of-recovery action, and a {@code recovery_min_apply_delay} would hold the copy's replay back by
 * hours. Barman disables
 * archiving in a recovered server too (it sets {@code archive_command = false}). When the copy becomes the new
 * primary, turn archiving (or recover with {@code --keep-archiving}) and logical replication workers back on.
 */
public final class CopyIsolation {
    private CopyIsolation() {
    }

    /** postgresql.auto.conf lines, which take precedence over postgresql.conf. */
    public static List<String> settings(boolean keepArchiving) {
        List<String> out = new ArrayList<>();
        out.add("synchronous_standby_names = ''");
        out.add("max_logical_replication_workers = 0");
        out.add("external_pid_file = ''"); // the original's service manager reads that file
        out.add("log_directory = 'log'"); // with logging_collector on, not the original's log directory and file names
        out.add("archive_cleanup_command = ''");
        out.add("recovery_end_command = ''");
        out.add("recovery_min_apply_delay = 0");
        // Read-only connections during recovery: how Lifeboat watches replay, and how a --pause copy is inspected.
        out.add("hot_standby = on");
        if (!keepArchiving) {
            out.add("archive_mode = 'off'");
        }
        return out;
    }

    /**
     * The copy's own authentication files, where the backup took them from outside the data directory (the
     * original's {@code hba_file} or {@code ident_file} may still point there, from a postgresql.conf kept inside).
     */
    public static List<String> configFiles(java.util.Map<String, String> labels, java.nio.file.Path dataDir) {
        java.nio.file.Path data = dataDir.toAbsolutePath().normalize();
        List<String> out = new ArrayList<>();
        if (labels.containsKey("external_hba_file")) {
            out.add("hba_file = " + RecoveryPreparation.literal(data.resolve("pg_hba.conf").toString()));
        }
        if (labels.containsKey("external_ident_file")) {
            out.add("ident_file = " + RecoveryPreparation.literal(data.resolve("pg_ident.conf").toString()));
        }
        return out;
    }

    /** One sentence for plans and reports of a recovery, which stages WAL (see {@link #describe(boolean, boolean)}). */
    public static String describe(boolean keepArchiving) {
        return describe(keepArchiving, true);
    }

    /** One sentence for plans and reports; {@code stagedWal}: Lifeboat's recovery_end_command replaces the original's. */
    public static String describe(boolean keepArchiving, boolean stagedWal) {
        return (keepArchiving ? "archiving kept as configured (--keep-archiving; the server does not inherit Lifeboat's environment, so an "
                + "archive_command that reads cloud credentials from it needs them in the server's own environment)"
                : "archive_mode off, so the copy archives nothing into the original's archive (--keep-archiving keeps it)") + "; synchronous_standby_names cleared (the copy has no standbys); "
                + "max_logical_replication_workers = 0, so its subscriptions do not consume the publishers' slots; no external PID file, "
                + "logs in its own directory; no archive_cleanup_command or recovery_min_apply_delay from a standby's configuration, and "
                + (stagedWal ? "Lifeboat's own recovery_end_command (it removes the staged WAL when recovery ends) instead of the original's; "
                : "no recovery_end_command; ")
                + "hot_standby on, so the copy can be watched and inspected while it recovers";
    }
}
