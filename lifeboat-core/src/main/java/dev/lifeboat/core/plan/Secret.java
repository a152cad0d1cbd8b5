package dev.lifeboat.core.plan;

import java.util.Optional;

/**
 * Where a secret can be read at run time: an environment variable or a file. The plan never holds the secret
 * itself, so a plan file can be reviewed and committed like code.
 */
public record Secret(Optional<String> env, Optional<String> file) {
    /** Where the secret comes from, safe to print: {@code env:PGPASSWORD} or {@code file:/run/secrets/pg}. */
    public String source() {
        return env.map(e -> "env:" + e).orElseGet(() -> "file:" + file.orElse("?"));
    }

    @Override
    public String toString() {
        return source();
    }
}
