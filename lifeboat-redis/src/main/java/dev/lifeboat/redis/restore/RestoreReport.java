package dev.lifeboat.redis.restore;

import java.util.Map;

/**
 * What a cache recovery did and what its check found.
 *
 * @param method      "restore-commands" (keys replayed into a running server) or "rdb-file" (RDB placed in a data directory)
 * @param keys        keys in the backup
 * @param restored    keys written to the target (or loaded by it)
 * @param expired     keys whose TTL ran out between the backup and the restore, so they were rightly not restored
 * @param compared    keys read back from the target and compared with the backup, value for value
 * @param reencoded   keys the target stores in another encoding (its size thresholds differ): present with the same type
 * @param mismatched  keys whose value differs from the backup, or that are missing (always 0 in a good restore)
 * @param digest      SHA-256 over every compared key and value, as read back from the target
 * @param phases      milliseconds per phase (check, load, compare)
 */
public record RestoreReport(String method, long keys, long restored, long expired, long compared, long reencoded,
                            long mismatched, String digest, Map<String, Long> phases) {
}
