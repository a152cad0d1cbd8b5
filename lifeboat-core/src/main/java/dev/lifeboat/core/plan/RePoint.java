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
 * @param inherit names of variables passed through from Lifeboat's environment beyond the basic ones (KUBECONFIG…)
 */
public record RePoint(List<String> command, Duration timeout, List<String> inherit) {
    public RePoint {
        command = List.copyOf(command);
        inherit = List.copyOf(inherit);
    }

    public RePoint(List<String> command, Duration timeout) {
        this(command, timeout, List.of());
    }
}
