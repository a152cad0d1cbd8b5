package dev.lifeboat.core.config;

/** Where something stands in a plan file: 1-based line and column, as editors and compilers count them. */
public record Position(String file, int line, int column) {
    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
