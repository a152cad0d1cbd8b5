package dev.lifeboat.core.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {
    @Test
    void numbersAndNamesAreUnique() {
        Set<Integer> numbers = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(numbers.add(c.number())).as("number %d of %s is unique", c.number(), c).isTrue();
            assertThat(names.add(c.id())).as("name %s is unique", c.id()).isTrue();
        }
    }

    @Test
    void everyCodeIsAUsableExitStatusWithAHint() {
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(c.exitStatus()).isBetween(1, 255);
            assertThat(c.hint()).isNotBlank();
            assertThat(c.id()).matches("[a-z]+(-[a-z]+)*");
        }
        assertThat(ErrorCode.UNKNOWN_KEY.exitStatus()).isEqualTo(ErrorCode.PLAN_INVALID.number());
        assertThat(ErrorCode.CONFIG_NOT_FOUND.exitStatus()).isEqualTo(10);
    }

    @Test
    void labelsArePaddedForGrep() {
        assertThat(ErrorCode.UNKNOWN_KEY.label()).isEqualTo("LB022 unknown-key");
        assertThat(ErrorCode.byNumber(28)).contains(ErrorCode.UNDEFINED_REFERENCE);
        assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::label)).allMatch(l -> l.startsWith("LB"));
    }
}
