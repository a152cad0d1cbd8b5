package dev.lifeboat.core.plan;

/** How much the business suffers when something is lost or down, highest first. */
public enum Criticality {
    CRITICAL, HIGH, MEDIUM, LOW
}
