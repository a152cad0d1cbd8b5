package dev.lifeboat.redis.rdb;

import java.util.Map;

/**
 * What reading a whole RDB found.
 *
 * @param version    the RDB format version
 * @param aux        auxiliary fields (redis-ver, used-mem, repl-offset, ...), as text
 * @param keysPerDb  keys per database number
 * @param expires    keys with an expiry
 * @param types      keys per data type (string, hash, ...)
 * @param functions  function libraries stored with the data (Redis 7)
 * @param checksum   "verified", or "disabled" when the writer had rdbchecksum off
 * @param bytes      length of the RDB in bytes, checksum included
 */
public record RdbSummary(int version, Map<String, String> aux, Map<Integer, Long> keysPerDb, long expires,
                         Map<String, Long> types, int functions, String checksum, long bytes) {
    public long keys() {
        return keysPerDb.values().stream().mapToLong(Long::longValue).sum();
    }
}
