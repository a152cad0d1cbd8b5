package dev.lifeboat.core.plan;

import java.util.Map;

/**
 * The backup repository: the regions it spans, which one is primary, how many must hold a backup before it counts
 * as committed, and how objects are compressed and encrypted.
 */
public record Repository(Map<String, Region> regions, String primaryRegion, int commitAfter,
                         Encryption encryption, Compression compression) {
}
