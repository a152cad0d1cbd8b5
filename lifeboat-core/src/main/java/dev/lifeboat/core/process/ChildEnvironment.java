package dev.lifeboat.core.process;

import java.util.List;
import java.util.Map;

/**
 * What Lifeboat's own secrets must not reach: the environment of the programs it starts. A restored postmaster or a
 * redis-server runs on as a long-lived server, where any superuser reads its environment ({@code COPY ... FROM
 * PROGRAM 'env'}, {@code /proc/PID/environ}); pg_ctl, psql and the rest need none of the repository passphrase, the
 * cloud credentials or the database password Lifeboat itself was given. A variable a command needs is passed to it
 * explicitly, after this.
 */
public final class ChildEnvironment {
    /** Variables removed by name prefix: Lifeboat's own, and the object stores' SDK credentials. */
    static final List<String> PREFIXES = List.of("LIFEBOAT_", "AWS_", "AZURE_", "GOOGLE_", "GCS_");
    /** Variables removed by name: database and cache passwords. */
    static final List<String> NAMES = List.of("PGPASSWORD", "REDISCLI_AUTH");

    private ChildEnvironment() {
    }

    /** Removes every secret-bearing variable from {@code env} (a ProcessBuilder's environment); returns it. */
    public static Map<String, String> scrub(Map<String, String> env) {
        env.keySet().removeIf(ChildEnvironment::secret);
        return env;
    }

    static boolean secret(String name) {
        return NAMES.contains(name) || PREFIXES.stream().anyMatch(name::startsWith);
    }
}
