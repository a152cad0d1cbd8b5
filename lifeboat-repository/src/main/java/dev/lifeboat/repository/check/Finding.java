package dev.lifeboat.repository.check;

import java.util.List;

/**
 * One problem found by verification: the object concerned, what is wrong, and every snapshot that can no longer be
 * restored completely because of it (short ids).
 */
public record Finding(String object, String problem, List<String> snapshots) {
}
