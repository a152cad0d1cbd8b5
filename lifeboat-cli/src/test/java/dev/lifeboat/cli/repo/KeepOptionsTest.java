package dev.lifeboat.cli.repo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.core.config.PlanLoader;
import dev.lifeboat.core.plan.KeepPolicy;
import dev.lifeboat.core.plan.Plan;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The plan's keep policies as prune applies them: never keeping less than a data class's retention. */
class KeepOptionsTest {
    static Plan plan(String keep, String retention) {
        return PlanLoader.parse("test.yaml", """
                version: 1
                name: shop
                objectives: {rto: 4h, rpo: 15m}
                data-classes:
                  orders:
                    criticality: critical
                    backup-frequency: daily
                    retention: %s
                    keep: %s
                    stored-in: [{resource: orders-db}]
                resources:
                  postgres:
                    orders-db: {primary: 127.0.0.1:5432}
                """.formatted(retention, keep));
    }

    @Test
    void aKeepPolicyThatReachesTheRetentionIsAppliedAsWritten() {
        KeepPolicy p = KeepOptions.forResource(plan("{daily: 7, monthly: 13}", "1y"), "orders-db").orElseThrow();
        assertThat(p.within()).isEmpty();
        assertThat(p.monthly()).contains(13);
    }

    @Test
    void aKeepPolicyThatFallsShortAlsoKeepsEverythingWithinTheRetention() {
        // daily: 7 reaches a week; the class must keep a year. plan check says "NOT covered"; prune must not delete it.
        KeepPolicy p = KeepOptions.forResource(plan("{daily: 7}", "1y"), "orders-db").orElseThrow();
        assertThat(p.within()).contains(Duration.ofDays(365));
        assertThat(p.daily()).contains(7);
        assertThat(KeepOptions.forResource(plan("{daily: 7}", "1y"), "elsewhere")).isEqualTo(Optional.empty());
    }
}
