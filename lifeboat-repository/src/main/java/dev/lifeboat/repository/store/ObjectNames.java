package dev.lifeboat.repository.store;

/** Checks object names against the {@link ObjectStore} contract. */
public final class ObjectNames {
    private ObjectNames() {
    }

    /** Returns {@code name} if valid. */
    public static String check(String name) {
        if (name == null || name.isEmpty() || name.startsWith("/") || name.endsWith("/") || name.contains("//")
                || name.contains("\\") || name.contains("\0")) {
            throw new IllegalArgumentException("invalid object name '" + name + "'");
        }
        for (String part : name.split("/")) {
            if (part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("invalid object name '" + name + "'");
            }
        }
        return name;
    }
}
