package dev.lifeboat.core.plan;

/** What a schedule runs. */
public enum Job {
    /** Back up the named resources at each cron firing. */
    BACKUP,
    /** Stream PostgreSQL WAL continuously; its max-lag bounds the recovery point. */
    WAL,
    /** Copy bucket objects continuously; its max-lag bounds the recovery point. */
    MIRROR,
    /** Verify backups (option level: quick or full). */
    VERIFY,
    /** Run a DR drill (option scenario). */
    DRILL,
    /** Run health checks (option extended). */
    HEALTH,
    /** Apply retention and collect unreferenced data. */
    PRUNE;

    public boolean continuous() {
        return this == WAL || this == MIRROR;
    }
}
