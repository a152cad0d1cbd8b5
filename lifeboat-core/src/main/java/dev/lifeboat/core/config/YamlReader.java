package dev.lifeboat.core.config;

import dev.lifeboat.core.error.ErrorCode;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.DumperOptions;

/**
 * Reads YAML text into a {@link YamlNode} tree with positions. Syntax errors and duplicate keys become
 * {@link Problems} entries; nothing is thrown for bad input.
 */
final class YamlReader {
    private final String file;
    private final Problems problems;

    YamlReader(String file, Problems problems) {
        this.file = file;
        this.problems = problems;
    }

    /** The document's root node, or null when the text has a syntax error or is empty. */
    YamlNode read(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true); // reported by us, with both positions
        options.setMaxAliasesForCollections(50);
        options.setCodePointLimit(16 * 1024 * 1024);
        Yaml yaml = new Yaml(new SafeConstructor(options), new org.yaml.snakeyaml.representer.Representer(new DumperOptions()),
                new DumperOptions(), options);
        Node root;
        try {
            root = yaml.compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String context = e.getContext() != null ? " (" + e.getContext() + ")" : "";
            problems.add(position(mark), ErrorCode.YAML_SYNTAX, what + context, null);
            return null;
        } catch (YAMLException e) {
            problems.add(new Position(file, 1, 1), ErrorCode.YAML_SYNTAX, String.valueOf(e.getMessage()), null);
            return null;
        }
        if (root == null) {
            return null;
        }
        return convert(root);
    }

    /** Nodes being converted: an alias that refers to one of them (x: &a [*a]) would recurse without end. */
    private final java.util.Set<Node> converting = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    private YamlNode convert(Node node) {
        Position at = position(node.getStartMark());
        if (!converting.add(node)) {
            problems.add(at, ErrorCode.YAML_SYNTAX, "an alias refers to a node that contains it (a recursive alias)",
                    "Write the value out instead of referring to itself.");
            return new YamlNode.Scalar("", false, true, at);
        }
        try {
            return convertNode(node, at);
        } finally {
            converting.remove(node);
        }
    }

    private YamlNode convertNode(Node node, Position at) {
        if (node instanceof ScalarNode s) {
            boolean quoted = s.getScalarStyle() != DumperOptions.ScalarStyle.PLAIN;
            boolean isNull = !quoted && s.getTag().equals(Tag.NULL);
            return new YamlNode.Scalar(isNull ? "" : s.getValue(), quoted, isNull, at);
        }
        if (node instanceof SequenceNode seq) {
            List<YamlNode> items = new ArrayList<>();
            for (Node item : seq.getValue()) {
                items.add(convert(item));
            }
            return new YamlNode.Sequence(items, at);
        }
        MappingNode map = (MappingNode) node;
        LinkedHashMap<String, YamlNode.Entry> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : map.getValue()) {
            Node keyNode = tuple.getKeyNode();
            Position keyAt = position(keyNode.getStartMark());
            if (!(keyNode instanceof ScalarNode key)) {
                problems.add(keyAt, ErrorCode.WRONG_TYPE, ErrorCode.WRONG_TYPE.format("a key", "a plain word", "a structure"), null);
                continue;
            }
            String name = key.getValue();
            YamlNode.Entry previous = entries.get(name);
            if (previous != null) {
                problems.add(keyAt, ErrorCode.DUPLICATE_KEY,
                        ErrorCode.DUPLICATE_KEY.format(name, "this mapping", previous.keyAt().line() + ":" + previous.keyAt().column()), null);
                continue;
            }
            entries.put(name, new YamlNode.Entry(name, keyAt, convert(tuple.getValueNode())));
        }
        return new YamlNode.Mapping(entries, at);
    }

    private Position position(Mark mark) {
        return mark == null ? new Position(file, 1, 1) : new Position(file, mark.getLine() + 1, mark.getColumn() + 1);
    }
}
