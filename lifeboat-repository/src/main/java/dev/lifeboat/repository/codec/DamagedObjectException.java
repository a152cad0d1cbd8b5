package dev.lifeboat.repository.codec;

/**
 * A stored object that cannot be trusted: not ours, changed, truncated, moved, or not decodable. Callers add which
 * object it is and turn it into an {@code object-corrupt} failure; nothing read from it is ever used.
 */
public final class DamagedObjectException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DamagedObjectException(String message) {
        super(message, null, false, false);
    }
}
