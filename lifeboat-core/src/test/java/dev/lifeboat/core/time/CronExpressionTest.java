package dev.lifeboat.core.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class CronExpressionTest {
    private static final LocalDateTime MONDAY = LocalDateTime.of(2026, 11, 23, 10, 7);

    @Test
    void everyFifteenMinutesFiresOnTheQuarterHours() {
        CronExpression c = CronExpression.parse("*/15 * * * *");
        assertThat(c.next(MONDAY)).contains(LocalDateTime.of(2026, 11, 23, 10, 15));
        assertThat(c.next(LocalDateTime.of(2026, 11, 23, 10, 15))).contains(LocalDateTime.of(2026, 11, 23, 10, 30));
    }

    @Test
    void dailyAtTwoRollsToTheNextDay() {
        assertThat(CronExpression.parse("0 2 * * *").next(MONDAY)).contains(LocalDateTime.of(2026, 11, 24, 2, 0));
    }

    @Test
    void firstSaturdayOfTheMonth() {
        CronExpression c = CronExpression.parse("0 2 * * SAT#1");
        LocalDateTime t = c.next(MONDAY).orElseThrow();
        assertThat(t).isEqualTo(LocalDateTime.of(2026, 12, 5, 2, 0));
        assertThat(t.getDayOfWeek()).isEqualTo(DayOfWeek.SATURDAY);
        assertThat(c.next(t)).contains(LocalDateTime.of(2027, 1, 2, 2, 0));
        assertThat(CronExpression.parse("0 2 * * 6#1").next(MONDAY)).contains(t);
    }

    @Test
    void restrictedDayOfMonthAndWeekMatchEitherAsInCron() {
        CronExpression c = CronExpression.parse("0 0 1 * MON");
        // 2026-11-30 is a Monday, 2026-12-01 the 1st.
        assertThat(c.next(LocalDateTime.of(2026, 11, 29, 0, 0))).contains(LocalDateTime.of(2026, 11, 30, 0, 0));
        assertThat(c.next(LocalDateTime.of(2026, 11, 30, 0, 0))).contains(LocalDateTime.of(2026, 12, 1, 0, 0));
    }

    @Test
    void aStepFromStarIsUnrestrictedSoBothDayFieldsMustMatchAsInVixieCron() {
        // */2 on day-of-month starts with '*': cronie and Vixie cron AND it with day-of-week (odd days that are
        // Mondays), where two restricted fields would OR.
        assertThat(CronExpression.parse("0 3 */2 * MON").next(MONDAY)).contains(LocalDateTime.of(2026, 12, 7, 3, 0));
        assertThat(CronExpression.parse("0 3 */2 * *").next(MONDAY)).contains(LocalDateTime.of(2026, 11, 25, 3, 0));
        // The 1st when it is a Sunday, Tuesday, Thursday or Saturday: 2026-12-01 is a Tuesday.
        assertThat(CronExpression.parse("0 3 1 * */2").next(MONDAY)).contains(LocalDateTime.of(2026, 12, 1, 3, 0));
    }

    @Test
    void sundayIsZeroOrSeven() {
        assertThat(CronExpression.parse("0 3 * * 7").next(MONDAY)).isEqualTo(CronExpression.parse("0 3 * * 0").next(MONDAY));
        assertThat(CronExpression.parse("0 3 * * 0").next(MONDAY)).contains(LocalDateTime.of(2026, 11, 29, 3, 0));
    }

    @Test
    void macrosExpand() {
        assertThat(CronExpression.parse("@daily").next(MONDAY)).contains(LocalDateTime.of(2026, 11, 24, 0, 0));
        assertThat(CronExpression.parse("@hourly").next(MONDAY)).contains(LocalDateTime.of(2026, 11, 23, 11, 0));
    }

    @Test
    void badExpressionsNameTheField() {
        assertThatThrownBy(() -> CronExpression.parse("0 25 * * *")).hasMessage("hour value 25 is out of range 0-23");
        assertThatThrownBy(() -> CronExpression.parse("0 2 * *")).hasMessageContaining("expected 5 fields");
        assertThatThrownBy(() -> CronExpression.parse("0 2 * FOO *")).hasMessageContaining("month 'FOO'");
        assertThatThrownBy(() -> CronExpression.parse("*/0 * * * *")).hasMessageContaining("step");
        assertThatThrownBy(() -> CronExpression.parse("0 0 30 2 *")).hasMessageContaining("never fires");
        assertThatThrownBy(() -> CronExpression.parse("0 0 * * 6#6")).hasMessageContaining("1 to 5");
        assertThatThrownBy(() -> CronExpression.parse("@often")).hasMessageContaining("unknown macro");
    }

    @Test
    void cadenceOfMergedSchedulesIsTheLongestGap() {
        var full = CronExpression.parse("0 2 * * *");
        var incremental = CronExpression.parse("0 */6 * * *");
        assertThat(Cadence.longestGap(List.of(full, incremental))).contains(Duration.ofHours(6));
        assertThat(Cadence.longestGap(List.of(full))).contains(Duration.ofHours(24));
        assertThat(Cadence.longestGap(List.of(CronExpression.parse("*/15 * * * *")))).contains(Duration.ofMinutes(15));
        // First Saturday of the month: the longest gap between two is five weeks.
        assertThat(Cadence.longestGap(List.of(CronExpression.parse("0 2 * * 6#1")))).contains(Duration.ofDays(35));
        assertThat(Cadence.longestGap(List.of())).isEmpty();
    }
}
