package dev.lifeboat.core.error;

import java.util.Objects;

/**
 * A failure a person can act on: a stable {@link ErrorCode}, a message that says what is wrong, and a hint that
 * says what to do. Messages and hints must never contain secrets.
 */
public class LifeboatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String hint;

    public LifeboatException(ErrorCode code, String message, String hint, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.hint = hint == null ? code.hint() : hint;
    }

    public LifeboatException(ErrorCode code, String message, String hint) {
        this(code, message, hint, null);
    }

    /** A failure whose message is the code's pattern filled with {@code args} and whose hint is the code's. */
    public static LifeboatException of(ErrorCode code, Object... args) {
        return new LifeboatException(code, code.format(args), null, null);
    }

    public ErrorCode code() {
        return code;
    }

    public String hint() {
        return hint;
    }

    public int exitStatus() {
        return code.exitStatus();
    }
}
