package dev.lifeboat.core.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The longest gap between firings, the worst-case recovery point a backup schedule alone delivers. */
class CadenceTest {
    @Test
    void regularSchedulesGiveTheirPeriod() {
        assertThat(Cadence.longestGap(List.of(CronExpression.parse("0 2 * * *")))).contains(Duration.ofDays(1));
        assertThat(Cadence.longestGap(List.of(CronExpression.parse("0 */6 * * *"), CronExpression.parse("0 2 * * *"))))
                .contains(Duration.ofHours(6));
    }

    @Test
    void aScheduleThatFiresOnceInYearsIsNoDailyBackup() {
        // 29 February fires once in the four-year window: its gaps are years, where it used to count as none at all.
        assertThat(Cadence.longestGap(List.of(CronExpression.parse("0 2 29 2 *")))).hasValueSatisfying(gap ->
                assertThat(gap).isGreaterThan(Duration.ofDays(365)));
        assertThat(Cadence.longestGap(List.of(CronExpression.parse("0 2 1 1 *")))).hasValueSatisfying(gap ->
                assertThat(gap).isEqualTo(Duration.ofDays(365).plusDays(1)));
    }
}
