package dev.lifeboat.core.error;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The one registry of Lifeboat's stable error codes.
 *
 * <p>Contract: a code's number and name never change once released; a number is never reused. The number is
 * also the process exit status of a command that fails with it (except the per-problem plan codes 21–39, which
 * are reported inside a {@link #PLAN_INVALID} failure whose exit status is 20). {@code docs/reference/exit-codes.md}
 * is generated from this enum and a test keeps the two identical.
 */
public enum ErrorCode {
    // 0–9: outcomes of any command
    INTERNAL(1, "internal", "unexpected error: %s",
            "This is a bug in Lifeboat. Re-run with --debug and report the output, with secrets removed."),
    USAGE(2, "usage", "%s",
            "Run the command with --help to see its arguments and options."),
    OBJECTIVES_NOT_MET(3, "objectives-not-met", "%s",
            "The plan is valid but its protection cannot deliver every target: change the schedules or the targets."),

    // 10–19: finding and reading the plan
    CONFIG_NOT_FOUND(10, "config-not-found", "no plan file at %s",
            "Pass --config FILE, set LIFEBOAT_CONFIG, or create ./lifeboat.yaml "
                    + "(examples/learning-assistant/lifeboat.yaml is a complete example)."),
    CONFIG_UNREADABLE(11, "config-unreadable", "cannot read %s: %s",
            "Check that the path is a readable file."),

    // 20–39: the plan's content. 20 is the exit status; 21–39 name each problem found.
    PLAN_INVALID(20, "plan-invalid", "%s",
            "Fix each problem listed; docs/reference/config.md describes every key."),
    YAML_SYNTAX(21, "yaml-syntax", "%s",
            "Check indentation and quoting; values starting with '*', '&', '!', '{' or '[' must be quoted, "
                    + "for example cron: \"0 2 * * *\"."),
    UNKNOWN_KEY(22, "unknown-key", "unknown key '%s' in %s",
            "Remove the key or correct its spelling; docs/reference/config.md lists the keys of each section."),
    MISSING_KEY(23, "missing-key", "%s needs the key '%s'",
            "Add the key; docs/reference/config.md shows an example."),
    WRONG_TYPE(24, "wrong-type", "%s must be %s, found %s",
            "Write the value in the form described in docs/reference/config.md."),
    BAD_DURATION(25, "bad-duration", "%s: %s",
            "Write durations as a positive number and a unit, e.g. 30s, 5m, 4h, 30d, 2w, 7y, or combined as 1h30m."),
    BAD_CRON(26, "bad-cron", "%s: %s",
            "Write a 5-field cron expression in UTC (minute hour day-of-month month day-of-week), "
                    + "e.g. \"0 2 * * *\"; use 6#1 for the first Saturday of a month."),
    BAD_VALUE(27, "bad-value", "%s: %s",
            "Use one of the values listed in docs/reference/config.md."),
    UNDEFINED_REFERENCE(28, "undefined-reference", "%s refers to %s '%s', which is not defined",
            "Define it in the plan or correct the name."),
    DUPLICATE_KEY(29, "duplicate-key", "key '%s' appears twice in %s (first at %s)",
            "Keep one of the two entries; YAML would otherwise silently use the last one."),
    IMPOSSIBLE_VALUE(30, "impossible-value", "%s",
            "The values contradict each other; change one of them."),
    INLINE_SECRET(31, "inline-secret", "%s holds a secret written into the plan",
            "Secrets never go into the plan file: write {env: VARIABLE} or {file: /path/to/secret} instead."),

    // 60–69: local tools and processes
    BINARY_NOT_FOUND(60, "binary-not-found", "%s not found (looked in: %s)",
            "Install it (on Debian: apt-get install -y %s) or point Lifeboat at it with %s."),
    PROCESS_FAILED(61, "process-failed", "%s failed: %s",
            "Read the log named in the message for the server's own explanation."),

    // 70–89: the backup repository and its stores
    REPOSITORY_NOT_FOUND(70, "repository-not-found", "no repository at %s",
            "Create one with 'lifeboat repo init', or check the repository location in the plan or --repo."),
    REPOSITORY_EXISTS(71, "repository-exists", "a repository already exists at %s",
            "Use it as it is, or choose an empty location for a new one."),
    WRONG_KEY(72, "wrong-key", "%s",
            "Check the passphrase or key file. After 'lifeboat repo rotate-key' only the new one opens the repository."),
    KEY_REQUIRED(73, "key-required", "%s",
            "Set LIFEBOAT_PASSPHRASE, pass --passphrase-file FILE or --key-file FILE, or name the source in the plan's repository.encryption."),
    OBJECT_CORRUPT(74, "object-corrupt", "%s",
            "The object's content does not match its checksum or authentication tag: nothing was written from it. "
                    + "Run 'lifeboat repo verify --deep' to list every affected snapshot, and 'lifeboat repo sync --verify --from HEALTHY --to DAMAGED' "
                    + "to repair it from a region that holds it intact."),
    OBJECT_MISSING(75, "object-missing", "%s",
            "An object a snapshot needs is gone. Run 'lifeboat repo verify' to list every affected snapshot, and "
                    + "'lifeboat repo sync --from HEALTHY --to DAMAGED' to copy it from a region that holds it."),
    STORE_UNAVAILABLE(76, "store-unavailable", "%s",
            "The store did not answer after retries. Check the network, the endpoint and the service's status; nothing was committed half-way."),
    STORE_REFUSED(77, "store-refused", "%s",
            "The store refused the request permanently (credentials, permissions or a bad request). Check the credentials and bucket settings."),
    REPOSITORY_LOCKED(78, "repository-locked", "%s",
            "Another Lifeboat process holds the lock. Wait for it, or if it died, remove its lock with 'lifeboat repo unlock' (locks go stale after 30 minutes)."),
    SNAPSHOT_NOT_FOUND(79, "snapshot-not-found", "no snapshot matches '%s'",
            "List snapshots with 'lifeboat snapshots list'; an ID prefix of 8 characters is enough."),
    VERIFY_FAILED(80, "verify-failed", "%s",
            "Each problem names the object and the snapshots it affects; repair with 'lifeboat repo sync --verify --from HEALTHY --to DAMAGED' "
                    + "when another region holds it intact; otherwise the affected snapshots cannot be restored, and a new backup replaces them."),
    UNSUPPORTED_FORMAT(81, "unsupported-format", "%s",
            "The repository was written by a newer Lifeboat; upgrade to read it."),
    LOCK_LOST(82, "lock-lost", "%s",
            "Nothing was committed after the lock lapsed, so no data is lost. Check that the store stays reachable and that nothing "
                    + "pauses this process for long, then run the command again (a backup run again stores only what is missing)."),

    // 90–109: the protected systems and recovery
    SOURCE_UNREACHABLE(90, "source-unreachable", "cannot reach %s: %s",
            "Check that the server runs and listens on that address, and the credentials in the plan; nothing was changed."),
    RDB_INVALID(91, "rdb-invalid", "%s",
            "The RDB is truncated or damaged, so nothing was written from it. Take a new backup, or pick an older one with --backup-id."),
    RDB_VERSION_UNSUPPORTED(92, "rdb-version-unsupported", "%s",
            "Lifeboat reads RDB versions 9 to 12 (Redis 6.0 to 7.4). Restore with a Redis of the same release, or upgrade Lifeboat."),
    TARGET_NOT_EMPTY(93, "target-not-empty", "%s",
            "Recovery never overwrites data. Choose an empty target, or move the existing data away yourself first."),
    TARGET_IN_USE(94, "target-in-use", "%s",
            "Stop the server that uses the target (or choose another target), then run the recovery again."),
    FAILOVER_FAILED(95, "failover-failed", "%s",
            "Check 'lifeboat health' for the state of the master, the replicas and the Sentinels before trying again."),
    RESTORE_MISMATCH(96, "restore-mismatch", "%s",
            "The restored data differs from the backup. Keep the target out of service and compare it with the backup before using it."),
    REPOINT_FAILED(97, "repoint-failed", "%s",
            "Point the application at the new primary by hand now; then fix the cluster's re-point command (docs/reference/config.md) and try it with 'failover postgres --dry-run'."),
    PROTECTION_DEGRADED(98, "protection-degraded", "%s",
            "WAL is not reaching the repository as the plan needs: start or fix 'lifeboat agent' (its log says why), and watch 'lifeboat status'."),
    REPOINT_NOT_READY(99, "repoint-not-ready", "%s",
            "Nothing was changed. Fix the cluster's re-point command in the plan, or fail over with --no-re-point and re-point the application yourself."),
    WAL_CONFLICT(100, "wal-conflict", "%s",
            "Nothing was overwritten. Two database systems are writing WAL under one cluster name (a cluster re-created with initdb or "
                    + "restored from a dump, or two clusters named alike): give the new one its own name in the plan, or, once the old "
                    + "one's backups are no longer needed, remove its WAL (wal/NAME/ in the repository)."),
    WAL_INVALID(101, "wal-invalid", "%s",
            "Nothing was stored from the file: it is not the WAL segment PostgreSQL wrote under that name. Check what archive_command "
                    + "hands over (cp %p, not another file), and the cluster's WAL segment size."),
    REPLICATION_DEGRADED(102, "replication-degraded", "%s",
            "The instance answers, but its replicas or Sentinels are not as failover needs them (listed): fix those before the master fails."),
    REGION_BEHIND(103, "region-behind", "%s",
            "A region lacks objects the others hold, or cannot be reached: a restore from it alone would be stale. Run 'lifeboat repo sync' "
                    + "once it is reachable."),

    INTERRUPTED(130, "interrupted", "interrupted",
            "The command was stopped by a signal; anything it started has been stopped.");

    private final int number;
    private final String id;
    private final String messagePattern;
    private final String hint;

    ErrorCode(int number, String id, String messagePattern, String hint) {
        this.number = number;
        this.id = id;
        this.messagePattern = messagePattern;
        this.hint = hint;
    }

    /** Stable number; also the exit status of a command failing with this code. */
    public int number() {
        return number;
    }

    /** Stable kebab-case name, e.g. {@code unknown-key}. */
    public String id() {
        return id;
    }

    /** The display label, e.g. {@code LB022 unknown-key}. */
    public String label() {
        return String.format(Locale.ROOT, "LB%03d %s", number, id);
    }

    public String messagePattern() {
        return messagePattern;
    }

    /** The general hint; a failure may carry a more specific one. */
    public String hint() {
        return hint;
    }

    /** Exit status of a command that fails with this code. */
    public int exitStatus() {
        return number >= 21 && number <= 39 ? PLAN_INVALID.number : number;
    }

    public String format(Object... args) {
        return String.format(Locale.ROOT, messagePattern, args);
    }

    public static Optional<ErrorCode> byNumber(int number) {
        return Arrays.stream(values()).filter(c -> c.number == number).findFirst();
    }
}
