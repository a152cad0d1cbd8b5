package dev.lifeboat.core.plan;

import java.util.List;
import java.util.Optional;

/** Somewhere notifications go: a Slack channel, an email list, a status page or a generic webhook. */
public record Channel(String name, Type type, Optional<String> target, Optional<String> url, Optional<Secret> webhook,
                      List<String> to, Optional<String> from, Optional<Endpoint> smtp, Optional<String> username,
                      Optional<Secret> password) {
    public enum Type {
        SLACK, EMAIL, STATUS_PAGE, WEBHOOK
    }
}
