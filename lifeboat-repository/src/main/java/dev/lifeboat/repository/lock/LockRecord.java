package dev.lifeboat.repository.lock;

/**
 * The content of a {@code locks/<id>} object.
 *
 * @param host      machine holding the lock
 * @param pid       process holding the lock
 * @param purpose   what it is doing ("backup", "prune" …)
 * @param exclusive whether it excludes every other lock
 * @param acquired  ISO-8601 time it was taken
 * @param refreshed ISO-8601 time it was last refreshed; older than the stale limit means its holder is gone
 */
public record LockRecord(String host, long pid, String purpose, boolean exclusive, String acquired, String refreshed) {
}
