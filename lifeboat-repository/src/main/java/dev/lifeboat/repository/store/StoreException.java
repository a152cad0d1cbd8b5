package dev.lifeboat.repository.store;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;

/** A store operation that failed, classified so callers know whether to retry. */
public final class StoreException extends LifeboatException {
    private static final long serialVersionUID = 1L;

    /** How a store operation failed. */
    public enum Kind {
        /** The object does not exist. */
        NOT_FOUND,
        /** A transient failure: the same call may succeed later. */
        RETRYABLE,
        /** Retrying will not help: credentials, permissions, a bad request. */
        PERMANENT
    }

    private final Kind kind;
    private final String object;

    public StoreException(Kind kind, String object, String message, Throwable cause) {
        super(switch (kind) {
            case NOT_FOUND -> ErrorCode.OBJECT_MISSING;
            case RETRYABLE -> ErrorCode.STORE_UNAVAILABLE;
            case PERMANENT -> ErrorCode.STORE_REFUSED;
        }, message, null, cause);
        this.kind = kind;
        this.object = object;
    }

    public static StoreException notFound(String location, String name) {
        return new StoreException(Kind.NOT_FOUND, name, "object " + name + " does not exist in " + location, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The object concerned, if one. */
    public String object() {
        return object;
    }
}
