package dev.lifeboat.postgres.recovery;

import java.util.ArrayList;
import java.util.List;

/**
 * Settings that stop a restored copy from acting as the cluster it was copied from, whose configuration it carries:
 * its archive_command would archive the copy's new timeline into the original's archive (where a later recovery of
 * the original could follow it), and the original's {@code synchronous_standby_names} would make every commit on
 * the copy wait for a standby that never connects. Barman disables archiving in a recovered server the same way.
 * When the copy becomes the new primary, turn archiving back on (or restore with {@code --keep-archiving}).
 */
public final class CopyIsolation {
    private CopyIsolation() {
    }

    /** postgresql.auto.conf lines, which take precedence over postgresql.conf. */
    public static List<String> settings(boolean keepArchiving) {
        List<String> out = new ArrayList<>();
        out.add("synchronous_standby_names = ''");
        if (!keepArchiving) {
            out.add("archive_mode = 'off'");
        }
        return out;
    }

    /** One sentence for plans and reports. */
    public static String describe(boolean keepArchiving) {
        return (keepArchiving ? "archiving kept as configured (--keep-archiving)" : "archive_mode off, so the copy archives nothing into the "
                + "original's archive (--keep-archiving keeps it)") + "; synchronous_standby_names cleared (the copy has no standbys)";
    }
}
