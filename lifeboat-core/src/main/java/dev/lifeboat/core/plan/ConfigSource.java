package dev.lifeboat.core.plan;

import java.util.List;
import java.util.Optional;

/** Configuration worth backing up: a git repository, a directory, or Kubernetes objects. */
public record ConfigSource(String name, Type type, Optional<String> url, Optional<String> branch,
                           Optional<String> path, Optional<String> namespace, List<String> kinds) {
    public enum Type {
        GIT, DIRECTORY, KUBERNETES
    }
}
