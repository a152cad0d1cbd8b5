package dev.lifeboat.repository.files;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Subtrees of a snapshot's tree that a restore writes into directories of their own instead of under the target
 * (a PostgreSQL tablespace, {@code pg_tblspc/OID}, into its mapped directory). Paths are absolute and normalized.
 */
final class Subtrees {
    static final Subtrees NONE = new Subtrees(Map.of());

    private final Map<String, Path> dirs;

    Subtrees(Map<String, Path> subtrees) {
        Map<String, Path> abs = new LinkedHashMap<>();
        subtrees.forEach((rel, dir) -> abs.put(rel, dir.toAbsolutePath().normalize()));
        this.dirs = Map.copyOf(abs);
    }

    Map<String, Path> dirs() {
        return dirs;
    }

    /** The subtree an entry lies in (the subtree's own path included), if any. */
    Optional<String> containing(String rel) {
        return dirs.keySet().stream().filter(k -> rel.equals(k) || rel.startsWith(k + "/")).findFirst();
    }

    /** Where an entry of the tree goes: under {@code root}, or under the directory its subtree was sent to. */
    Path place(Path root, String rel) {
        Optional<String> in = containing(rel);
        if (in.isEmpty()) {
            return DirectoryRestore.resolve(root, rel);
        }
        Path dir = dirs.get(in.get());
        return rel.equals(in.get()) ? dir : DirectoryRestore.resolve(dir, rel.substring(in.get().length() + 1));
    }
}
