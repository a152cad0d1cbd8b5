package dev.lifeboat.postgres.backup;

import java.util.Set;

/**
 * What a base backup copies from a data directory, after PostgreSQL's documentation ("Backup and Restore:
 * Making a Base Backup Using the Low Level API") and what pg_basebackup skips: the contents of directories that are
 * rebuilt at start (but the directories themselves, which must exist), and files that would confuse recovery.
 */
final class DataDirectory {
    /** Directories kept empty: their contents are recreated or meaningless in a restored cluster. */
    static final Set<String> EMPTIED = Set.of("pg_wal", "pg_replslot", "pg_dynshmem", "pg_notify", "pg_serial",
            "pg_snapshots", "pg_stat_tmp", "pg_subtrans");

    /** Files never copied, wherever they are: the running server's, or recovery's own. */
    static final Set<String> SKIPPED_FILES = Set.of("postmaster.pid", "postmaster.opts", "backup_label", "backup_label.old",
            "tablespace_map", "tablespace_map.old", "recovery.signal", "standby.signal", "pg_internal.init");

    private DataDirectory() {
    }

    /** Whether {@code rel} (a path relative to the data directory) is copied. */
    static boolean copied(String rel) {
        String[] parts = rel.split("/");
        String name = parts[parts.length - 1];
        if (SKIPPED_FILES.contains(name) || name.startsWith("pgsql_tmp")) {
            return false;
        }
        return parts.length < 2 || !EMPTIED.contains(parts[0]);
    }
}
