package dev.lifeboat.core.config;

import java.util.LinkedHashMap;
import java.util.List;

/** The parsed plan file as a tree in which every node remembers where it was written. */
public sealed interface YamlNode {
    Position at();

    /** A short description of the node's shape for messages: "a text", "a list", "a mapping". */
    String shape();

    /** A scalar as written; {@code quoted} tells whether the author quoted it. {@code null} values have text "". */
    record Scalar(String text, boolean quoted, boolean isNull, Position at) implements YamlNode {
        @Override
        public String shape() {
            return isNull ? "nothing" : "'" + text + "'";
        }
    }

    record Sequence(List<YamlNode> items, Position at) implements YamlNode {
        @Override
        public String shape() {
            return "a list";
        }
    }

    /** A mapping with text keys in file order. */
    record Mapping(LinkedHashMap<String, Entry> entries, Position at) implements YamlNode {
        @Override
        public String shape() {
            return "a mapping";
        }
    }

    record Entry(String key, Position keyAt, YamlNode value) {
    }
}
