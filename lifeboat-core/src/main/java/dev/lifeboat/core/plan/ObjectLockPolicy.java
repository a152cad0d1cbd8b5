package dev.lifeboat.core.plan;

import java.time.Duration;

/** Write-once retention a region's store applies to every repository object (S3 Object Lock). */
public record ObjectLockPolicy(Mode mode, Duration retain) {
    public enum Mode {
        GOVERNANCE, COMPLIANCE
    }
}
