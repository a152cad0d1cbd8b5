package dev.lifeboat.core.config;

import java.util.EnumSet;
import java.util.Set;

/** The kinds of named things a plan defines and refers to. */
public enum Kind {
    POSTGRES("PostgreSQL cluster"),
    REDIS("Redis instance"),
    BUCKET("bucket"),
    CONFIG_SOURCE("configuration source"),
    REPLICA("replica"),
    WARM_SET("warm set"),
    COMPONENT("component"),
    DATA_CLASS("data class"),
    REGION("region"),
    SCHEDULE("schedule"),
    CONTACT("contact"),
    CHANNEL("channel"),
    TEMPLATE("template");

    /** Everything that holds data Lifeboat can protect. */
    public static final Set<Kind> RESOURCES = EnumSet.of(POSTGRES, REDIS, BUCKET, CONFIG_SOURCE);

    private final String label;

    Kind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
