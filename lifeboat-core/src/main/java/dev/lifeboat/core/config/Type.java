package dev.lifeboat.core.config;

import dev.lifeboat.core.error.ErrorCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The type of a plan value: how it is written, how it binds to a model value, and how the reference page
 * describes it. Binding never throws for bad input: it reports a {@link Problem} and returns null.
 */
public abstract class Type<T> {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]*");

    /** The dotted path of a key below {@code path}; the root's path is empty. */
    static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** How the reference page describes values of this type. */
    public abstract String describe();

    /** Binds {@code node}; reports and returns null when it does not fit. */
    abstract T bind(YamlNode node, String path, Binding binding);

    /** The section schema when this type holds one (object, list of objects, named map), for the reference page. */
    public ObjectSchema<?> section() {
        return null;
    }

    /** A scalar type: the text is handed to {@code parse}, whose IllegalArgumentException becomes a problem. */
    public static <T> Type<T> scalar(String description, ErrorCode code, Function<String, T> parse) {
        return new Type<>() {
            @Override
            public String describe() {
                return description;
            }

            @Override
            T bind(YamlNode node, String path, Binding b) {
                String text = scalarText(node, path, description, b);
                if (text == null) {
                    return null;
                }
                try {
                    return parse.apply(text);
                } catch (IllegalArgumentException e) {
                    b.report(node.at(), code, code.format(path, e.getMessage()), hintOf(e));
                    return null;
                }
            }
        };
    }

    /** The text of a scalar node, or null after reporting that the node is not one. */
    private static String scalarText(YamlNode node, String path, String description, Binding b) {
        if (!(node instanceof YamlNode.Scalar s) || s.isNull()) {
            b.report(node.at(), ErrorCode.WRONG_TYPE, ErrorCode.WRONG_TYPE.format(path, description, node.shape()), null);
            return null;
        }
        return s.text();
    }

    /** An IllegalArgumentException whose message is a reason and whose cause's message is a hint. */
    static IllegalArgumentException withHint(String reason, String hint) {
        return new IllegalArgumentException(reason, hint == null ? null : new HintCarrier(hint));
    }

    private static String hintOf(IllegalArgumentException e) {
        return e.getCause() instanceof HintCarrier h ? h.getMessage() : null;
    }

    private static final class HintCarrier extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HintCarrier(String hint) {
            super(hint, null, false, false);
        }
    }

    public static Type<String> text() {
        return scalar("text", ErrorCode.BAD_VALUE, s -> s);
    }

    public static Type<Integer> integer(int min, int max) {
        return scalar("a whole number from " + min + " to " + max, ErrorCode.BAD_VALUE, s -> {
            int v;
            try {
                v = Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + s + "' is not a whole number");
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException(v + " is outside " + min + " to " + max);
            }
            return v;
        });
    }

    public static Type<Boolean> bool() {
        return scalar("true or false", ErrorCode.BAD_VALUE, s -> switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("'" + s + "' is not true or false");
        });
    }

    /** One of an enum's constants, written in lower case with dashes ({@code REAL_TIME} is {@code real-time}). */
    public static <E extends Enum<E>> Type<E> oneOf(Class<E> type) {
        Map<String, E> byName = new LinkedHashMap<>();
        for (E e : type.getEnumConstants()) {
            byName.put(spelling(e), e);
        }
        String description = "one of " + String.join(", ", byName.keySet());
        return scalar(description, ErrorCode.BAD_VALUE, s -> {
            E e = byName.get(s.trim().toLowerCase(Locale.ROOT));
            if (e == null) {
                throw withHint("'" + s + "' is not " + description,
                        Spelling.closest(s, byName.keySet()).map(c -> "Did you mean '" + c + "'?").orElse(null));
            }
            return e;
        });
    }

    /** How an enum constant is written in a plan. */
    public static String spelling(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The name of something defined elsewhere in the plan, of one of {@code kinds}. */
    public static Type<String> reference(Set<Kind> kinds) {
        String description = "name of a " + (kinds.equals(Kind.RESOURCES) ? "resource"
                : kinds.stream().map(Kind::label).collect(Collectors.joining(" or ")));
        return new Type<>() {
            @Override
            public String describe() {
                return description;
            }

            @Override
            String bind(YamlNode node, String path, Binding b) {
                String text = scalarText(node, path, description, b);
                if (text != null) {
                    b.reference(kinds, text, node.at(), path);
                }
                return text;
            }
        };
    }

    public static Type<String> reference(Kind kind) {
        return reference(EnumSet.of(kind));
    }

    public static <T> Type<List<T>> listOf(Type<T> item) {
        return new Type<>() {
            @Override
            public String describe() {
                return "list of " + item.describe() + (item.section() != null ? "s" : "");
            }

            @Override
            public ObjectSchema<?> section() {
                return item.section();
            }

            @Override
            List<T> bind(YamlNode node, String path, Binding b) {
                if (!(node instanceof YamlNode.Sequence seq)) {
                    b.report(node.at(), ErrorCode.WRONG_TYPE, ErrorCode.WRONG_TYPE.format(path, describe() + " (write [a, b] or one '- item' per line)", node.shape()), null);
                    return null;
                }
                List<T> out = new ArrayList<>();
                boolean ok = true;
                for (int i = 0; i < seq.items().size(); i++) {
                    T v = item.bind(seq.items().get(i), path + "[" + i + "]", b);
                    ok &= v != null;
                    out.add(v);
                }
                return ok ? Collections.unmodifiableList(out) : null;
            }
        };
    }

    public static <T> Type<T> object(ObjectSchema<T> schema) {
        return new Type<>() {
            @Override
            public String describe() {
                return schema.title() + " section";
            }

            @Override
            public ObjectSchema<?> section() {
                return schema;
            }

            @Override
            T bind(YamlNode node, String path, Binding b) {
                return schema.bind(node, path, null, b);
            }
        };
    }

    /**
     * A mapping of names to sections, each name defining a {@code kind} (components, data classes, clusters …).
     * Names are lower case letters, digits, '-', '_' and '.'.
     */
    public static <T> Type<Map<String, T>> namedMap(ObjectSchema<T> schema, Kind defines) {
        return new Type<>() {
            @Override
            public String describe() {
                return "mapping of names to " + schema.title() + " sections";
            }

            @Override
            public ObjectSchema<?> section() {
                return schema;
            }

            @Override
            Map<String, T> bind(YamlNode node, String path, Binding b) {
                if (node instanceof YamlNode.Scalar s && s.isNull()) {
                    return Map.of();
                }
                if (!(node instanceof YamlNode.Mapping map)) {
                    b.report(node.at(), ErrorCode.WRONG_TYPE, ErrorCode.WRONG_TYPE.format(path, describe(), node.shape()), null);
                    return null;
                }
                Map<String, T> out = new LinkedHashMap<>();
                boolean ok = true;
                for (YamlNode.Entry e : map.entries().values()) {
                    if (!NAME.matcher(e.key()).matches()) {
                        b.report(e.keyAt(), ErrorCode.BAD_VALUE, ErrorCode.BAD_VALUE.format(path,
                                "'" + e.key() + "' is not a valid " + defines.label() + " name"),
                                "Names use lower-case letters, digits, '-', '_' and '.', e.g. '"
                                        + e.key().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]+", "-") + "'.");
                        ok = false;
                        continue;
                    }
                    b.symbols().define(defines, e.key(), e.keyAt());
                    T v = schema.bind(e.value(), Type.join(path, e.key()), e.key(), b);
                    ok &= v != null;
                    out.put(e.key(), v);
                }
                return ok ? Collections.unmodifiableMap(out) : null;
            }
        };
    }

    /** A mapping of free-form keys to text values (for options and labels). */
    public static Type<Map<String, String>> textMap() {
        return new Type<>() {
            @Override
            public String describe() {
                return "mapping of names to text";
            }

            @Override
            Map<String, String> bind(YamlNode node, String path, Binding b) {
                if (!(node instanceof YamlNode.Mapping map)) {
                    b.report(node.at(), ErrorCode.WRONG_TYPE, ErrorCode.WRONG_TYPE.format(path, describe(), node.shape()), null);
                    return null;
                }
                Map<String, String> out = new LinkedHashMap<>();
                for (YamlNode.Entry e : map.entries().values()) {
                    if (!(e.value() instanceof YamlNode.Scalar s)) {
                        b.report(e.value().at(), ErrorCode.WRONG_TYPE, ErrorCode.WRONG_TYPE.format(Type.join(path, e.key()), "text", e.value().shape()), null);
                        return null;
                    }
                    out.put(e.key(), s.text());
                }
                return Collections.unmodifiableMap(out);
            }
        };
    }

    /** The accepted spellings of an enum, for descriptions. */
    public static String spellings(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(Type::spelling).collect(Collectors.joining(", "));
    }
}
