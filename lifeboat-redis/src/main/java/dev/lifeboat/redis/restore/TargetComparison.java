package dev.lifeboat.redis.restore;

import dev.lifeboat.redis.rdb.RdbEntry;
import dev.lifeboat.redis.rdb.RdbReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Compares keys read back from a target with {@code DUMP} against the backup: the value bytes must be identical
 * (the version and CRC trailer is left out, since the target writes its own). A different type byte with the same
 * data type means the target re-encoded the value because its size thresholds differ; that is counted, not failed.
 * A key missing on the target is a mismatch unless its TTL ran out in the meantime.
 */
final class TargetComparison {
    private final MessageDigest digest;
    private final List<String> examples = new ArrayList<>();
    long compared;
    long reencoded;
    long mismatched;
    long expired;

    TargetComparison() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void compare(RdbEntry expected, byte[] dumped, long nowMillis) {
        if (dumped == null) {
            if (expected.expireAt() >= 0 && expected.expireAt() <= nowMillis + 1000) {
                expired++;
            } else {
                mismatch(expected, "missing on the target");
            }
            return;
        }
        compared++;
        digest.update(Integer.toString(expected.db()).getBytes(StandardCharsets.US_ASCII));
        digest.update(expected.key());
        digest.update(dumped, 0, Math.max(0, dumped.length - 10));
        int type = dumped[0] & 0xff;
        if (type != expected.type()) {
            if (dev.lifeboat.redis.rdb.RdbFormat.typeName(type).equals(expected.typeName())) {
                reencoded++;
            } else {
                mismatch(expected, "is a " + dev.lifeboat.redis.rdb.RdbFormat.typeName(type) + " on the target");
            }
            return;
        }
        byte[] value = expected.value();
        if (dumped.length - 11 == value.length && Arrays.equals(dumped, 1, dumped.length - 10, value, 0, value.length)) {
            return;
        }
        // Hash-table encodings list their elements in each server's own order: compare the elements instead.
        java.util.Optional<java.util.List<String>> mine = RdbReader.unorderedElements(type, value);
        if (mine.isPresent() && mine.equals(RdbReader.unorderedElements(type, Arrays.copyOfRange(dumped, 1, dumped.length - 10)))) {
            return;
        }
        mismatch(expected, "has a different value on the target");
    }

    private void mismatch(RdbEntry e, String what) {
        mismatched++;
        if (examples.size() < 5) {
            examples.add("db" + e.db() + " '" + e.keyText() + "' " + what);
        }
    }

    List<String> examples() {
        return examples;
    }

    String digest() {
        return HexFormat.of().formatHex(digest.digest());
    }
}
