package dev.lifeboat.core.config;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The bound values of one plan section, with the position of each, handed to the section's factory and rules. */
public final class Values {
    private final String name;
    private final String path;
    private final Position at;
    private final Map<String, Object> values = new HashMap<>();
    private final Map<String, Position> positions = new HashMap<>();

    Values(String name, String path, Position at) {
        this.name = name;
        this.path = path;
        this.at = at;
    }

    void put(Field<?> field, Object value, Position position) {
        values.put(field.key(), value);
        positions.put(field.key(), position);
    }

    /** The entry's name when the section is an entry of a named map (e.g. the component's name), else null. */
    public String name() {
        return name;
    }

    /** The dotted path of the section, e.g. {@code components.user-authentication}. */
    public String path() {
        return path;
    }

    /** Where the section starts. */
    public Position at() {
        return at;
    }

    /** Where the field's value was written, or where the section starts when the field is absent. */
    public Position at(Field<?> field) {
        return positions.getOrDefault(field.key(), at);
    }

    public boolean has(Field<?> field) {
        return values.containsKey(field.key());
    }

    /** The value of a field that is present (always so for required fields), else null. */
    @SuppressWarnings("unchecked")
    public <T> T get(Field<T> field) {
        return (T) values.get(field.key());
    }

    public <T> Optional<T> find(Field<T> field) {
        return Optional.ofNullable(get(field));
    }

    public <T> T getOr(Field<T> field, T fallback) {
        T v = get(field);
        return v == null ? fallback : v;
    }
}
