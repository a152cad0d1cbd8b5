package dev.lifeboat.redis.warm;

import java.util.List;
import java.util.regex.Pattern;

/** Redis glob patterns ({@code *}, {@code ?}, {@code [abc]}, {@code \x}) as used by KEYS and SCAN MATCH. */
final class KeyPattern {
    private final List<Pattern> patterns;

    KeyPattern(List<String> globs) {
        this.patterns = globs.stream().map(KeyPattern::compile).toList();
    }

    boolean matches(String key) {
        return patterns.stream().anyMatch(p -> p.matcher(key).matches());
    }

    static Pattern compile(String glob) {
        StringBuilder r = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> r.append(".*");
                case '?' -> r.append('.');
                case '[' -> {
                    int end = glob.indexOf(']', i + 1);
                    if (end < 0) {
                        r.append("\\[");
                    } else {
                        // Glob classes ([abc], [^a], [a-z]) read the same as regular-expression classes.
                        r.append('[').append(glob, i + 1, end).append(']');
                        i = end;
                    }
                }
                case '\\' -> {
                    if (i + 1 < glob.length()) {
                        r.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
                    }
                }
                default -> r.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(r.toString(), Pattern.DOTALL);
    }
}
