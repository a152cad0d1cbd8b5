package dev.lifeboat.core.plan;

import java.util.Optional;

/**
 * Repository encryption. On unless the plan says {@code enabled: false}. The master key is unlocked by a
 * passphrase or a key file, both read at run time from the {@link Secret}s named here.
 */
public record Encryption(boolean enabled, Optional<Secret> passphrase, Optional<Secret> keyFile) {
}
