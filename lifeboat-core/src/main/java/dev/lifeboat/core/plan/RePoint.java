package dev.lifeboat.core.plan;

import java.time.Duration;
import java.util.List;

/**
 * How the application follows a promoted PostgreSQL replica: a command Lifeboat runs right after promotion (reload
 * pgbouncer with the new address, patch a Kubernetes Service, update a DNS record…), given the new primary's address
 * in its environment.
 *
 * @param command the program and its arguments, run without a shell
 * @param timeout how long it may run before it is killed and the re-point counts as failed
 */
public record RePoint(List<String> command, Duration timeout) {
    public RePoint {
        command = List.copyOf(command);
    }
}
