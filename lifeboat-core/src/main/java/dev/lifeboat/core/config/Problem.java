package dev.lifeboat.core.config;

import dev.lifeboat.core.error.ErrorCode;

/** One thing wrong with a plan: where, which rule, what, and what to do about it. */
public record Problem(Position at, ErrorCode code, String message, String hint) implements Comparable<Problem> {
    @Override
    public int compareTo(Problem o) {
        int c = Integer.compare(at.line(), o.at.line());
        return c != 0 ? c : Integer.compare(at.column(), o.at.column());
    }

    @Override
    public String toString() {
        return at + ": " + code.label() + ": " + message;
    }
}
