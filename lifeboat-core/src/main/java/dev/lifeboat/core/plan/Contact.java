package dev.lifeboat.core.plan;

import java.util.Optional;

/** A person or provider to reach in an incident, by role, with a backup and where to escalate. */
public record Contact(String name, String role, Team team, Optional<String> person, Optional<String> phone,
                      Optional<String> email, Optional<String> url, Optional<String> backup,
                      Optional<String> escalatesTo) {
    public enum Team {
        PRIMARY, SECONDARY, EXECUTIVE, EXTERNAL
    }
}
