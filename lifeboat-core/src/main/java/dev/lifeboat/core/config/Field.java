package dev.lifeboat.core.config;

/**
 * One key of a plan section: its type, whether it must be present, the default that applies when it is absent
 * (as text, for the reference page), and a sentence for the reference page.
 */
public record Field<T>(String key, Type<T> type, boolean required, String defaultText, String description) {

    public static <T> Field<T> required(String key, Type<T> type, String description) {
        return new Field<>(key, type, true, null, description);
    }

    public static <T> Field<T> optional(String key, Type<T> type, String description) {
        return new Field<>(key, type, false, null, description);
    }

    public static <T> Field<T> optional(String key, Type<T> type, String defaultText, String description) {
        return new Field<>(key, type, false, defaultText, description);
    }
}
