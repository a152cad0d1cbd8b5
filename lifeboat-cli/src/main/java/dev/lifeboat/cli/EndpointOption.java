package dev.lifeboat.cli;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Endpoint;

/** A {@code --to HOST:PORT} option's value. */
public final class EndpointOption {
    private EndpointOption() {
    }

    /** The endpoint, or a usage error (exit 2) that says how to write one. */
    public static Endpoint parse(String text) {
        try {
            return Endpoint.parse(text);
        } catch (IllegalArgumentException e) {
            throw new LifeboatException(ErrorCode.USAGE, "--to " + text + ": " + e.getMessage(), "Write the target as HOST:PORT, e.g. 127.0.0.1:6380.");
        }
    }
}
