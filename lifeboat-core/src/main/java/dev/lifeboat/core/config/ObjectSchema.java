package dev.lifeboat.core.config;

import dev.lifeboat.core.error.ErrorCode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A plan section: its keys, the model object built from them, and the checks that relate its keys to each other
 * or to other sections. The same description drives binding, error messages and the reference page.
 *
 * @param <T> the model type the section binds to
 */
public final class ObjectSchema<T> {
    /** A check that runs after the whole plan is bound; it reports through the binding. */
    public interface Rule<T> {
        void check(T built, Values values, Binding binding);
    }

    private final String title;
    private final String description;
    private final Map<String, Field<?>> fields = new LinkedHashMap<>();
    private final List<Rule<T>> rules = new ArrayList<>();
    private Function<Values, T> factory;

    private ObjectSchema(String title, String description) {
        this.title = title;
        this.description = description;
    }

    public static <T> ObjectSchema<T> of(String title, String description) {
        return new ObjectSchema<>(title, description);
    }

    public <F> Field<F> field(Field<F> field) {
        fields.put(field.key(), field);
        return field;
    }

    public ObjectSchema<T> builds(Function<Values, T> factory) {
        this.factory = factory;
        return this;
    }

    public ObjectSchema<T> rule(Rule<T> rule) {
        rules.add(rule);
        return this;
    }

    public String title() {
        return title;
    }

    public String description() {
        return description;
    }

    public List<Field<?>> fields() {
        return Collections.unmodifiableList(new ArrayList<>(fields.values()));
    }

    T bind(YamlNode node, String path, String name, Binding b) {
        YamlNode.Mapping map;
        if (node instanceof YamlNode.Mapping m) {
            map = m;
        } else if (node instanceof YamlNode.Scalar s && s.isNull()) {
            map = new YamlNode.Mapping(new LinkedHashMap<>(), node.at());
        } else {
            b.report(node.at(), ErrorCode.WRONG_TYPE, ErrorCode.WRONG_TYPE.format(shown(path), "a " + title + " section (a mapping of keys)", node.shape()), null);
            return null;
        }
        Values values = new Values(name, path, map.at());
        boolean ok = true;
        for (YamlNode.Entry e : map.entries().values()) {
            if (!fields.containsKey(e.key())) {
                b.report(e.keyAt(), ErrorCode.UNKNOWN_KEY, ErrorCode.UNKNOWN_KEY.format(e.key(), shown(path)),
                        hintForUnknown(e.key()));
                ok = false;
            }
        }
        for (Field<?> f : fields.values()) {
            YamlNode.Entry e = map.entries().get(f.key());
            if (e == null) {
                if (f.required()) {
                    b.report(map.at(), ErrorCode.MISSING_KEY, ErrorCode.MISSING_KEY.format(shown(path), f.key()), null);
                    ok = false;
                }
                continue;
            }
            Object v = f.type().bind(e.value(), Type.join(path, f.key()), b);
            if (v == null) {
                ok = false;
            } else {
                values.put(f, v, e.value().at());
            }
        }
        if (!ok) {
            return null;
        }
        T built;
        try {
            built = factory.apply(values);
        } catch (IllegalArgumentException ex) {
            b.report(values.at(), ErrorCode.IMPOSSIBLE_VALUE, path + ": " + ex.getMessage(), null);
            return null;
        }
        b.remember(built, values);
        for (Rule<T> r : rules) {
            b.later(() -> r.check(built, values, b));
        }
        return built;
    }

    private static String shown(String path) {
        return path.isEmpty() ? "the plan" : path;
    }

    private String hintForUnknown(String key) {
        String guess = Spelling.didYouMean(key, fields.keySet());
        return guess != null ? guess : "Keys here: " + String.join(", ", fields.keySet()) + ".";
    }
}
