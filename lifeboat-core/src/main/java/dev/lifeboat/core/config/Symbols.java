package dev.lifeboat.core.config;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The names a plan defines, by kind, with where each is defined. */
public final class Symbols {
    private final Map<Kind, LinkedHashMap<String, Position>> defined = new EnumMap<>(Kind.class);

    void define(Kind kind, String name, Position at) {
        defined.computeIfAbsent(kind, k -> new LinkedHashMap<>()).put(name, at);
    }

    /** The kind a name is defined as among {@code kinds}, if any. */
    public Optional<Kind> kindOf(String name, Set<Kind> kinds) {
        for (Kind k : kinds) {
            if (defined.getOrDefault(k, new LinkedHashMap<>()).containsKey(name)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    public List<String> names(Set<Kind> kinds) {
        List<String> all = new ArrayList<>();
        for (Kind k : kinds) {
            all.addAll(defined.getOrDefault(k, new LinkedHashMap<>()).keySet());
        }
        return all;
    }
}
