package dev.lifeboat.core.plan;

import java.util.List;

/**
 * Where (part of) a data class lives: a resource and, depending on its kind, tables ({@code schema.table} or
 * {@code schema.*}), Redis key patterns, object prefixes or paths.
 */
public record Location(String resource, List<String> tables, List<String> keyPatterns, List<String> prefixes,
                       List<String> paths) {
}
