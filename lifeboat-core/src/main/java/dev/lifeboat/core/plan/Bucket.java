package dev.lifeboat.core.plan;

import java.time.Duration;
import java.util.Optional;

/** An object-storage bucket (or Azure container) holding application files. */
public record Bucket(String name, StoreType provider, String bucket, Optional<String> region, Optional<String> prefix,
                     Optional<String> endpoint, Optional<Duration> versioning) {
}
