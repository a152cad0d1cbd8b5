package dev.lifeboat.core.plan;

import java.util.Optional;

/**
 * One copy of the backup repository on one object store. Credentials are {@link Secret}s: S3 and GCS use
 * {@code access-key}/{@code secret-key}, Azure {@code account-key}.
 */
public record Region(String name, StoreType store, Optional<String> path, Optional<String> bucket,
                     Optional<String> container, Optional<String> account, Optional<String> location,
                     Optional<String> endpoint, Optional<String> prefix, boolean pathStyle,
                     Optional<Secret> accessKey, Optional<Secret> secretKey, Optional<Secret> accountKey,
                     Optional<ObjectLockPolicy> objectLock) {
}
