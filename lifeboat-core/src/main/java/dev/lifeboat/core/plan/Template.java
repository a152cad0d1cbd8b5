package dev.lifeboat.core.plan;

import java.util.List;
import java.util.Optional;

/** A message with {@code {{placeholders}}}, sent to the listed channels. */
public record Template(String name, List<String> channels, Optional<String> subject, String body) {
}
