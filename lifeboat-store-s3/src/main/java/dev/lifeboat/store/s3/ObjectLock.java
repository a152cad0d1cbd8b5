package dev.lifeboat.store.s3;

import java.time.Duration;

/**
 * S3 Object Lock for what the repository writes: each pack, index and snapshot object is stored with a retention
 * period during which nobody (COMPLIANCE) or nobody without a bypass permission (GOVERNANCE) can delete or
 * overwrite that version, not even with Lifeboat's own credentials. The bucket must have Object Lock (and so
 * versioning) enabled. Deletes by prune then leave delete markers and the locked versions stay until the period
 * ends; a lifecycle rule expiring noncurrent versions reclaims the space afterwards. Lock objects are never locked.
 *
 * @param mode   {@code GOVERNANCE} or {@code COMPLIANCE}
 * @param retain how long each object stays locked after it is written
 */
public record ObjectLock(String mode, Duration retain) {
    public ObjectLock {
        if (!mode.equals("GOVERNANCE") && !mode.equals("COMPLIANCE")) {
            throw new IllegalArgumentException("object lock mode must be GOVERNANCE or COMPLIANCE");
        }
        if (retain.isNegative() || retain.isZero()) {
            throw new IllegalArgumentException("object lock retention must be positive");
        }
    }
}
