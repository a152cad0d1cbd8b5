package dev.lifeboat.core.config;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.util.List;

/** A plan with problems: every one of them, in file order. Exit status 20 ({@code plan-invalid}). */
public final class PlanInvalidException extends LifeboatException {
    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    public PlanInvalidException(String source, List<Problem> problems) {
        super(ErrorCode.PLAN_INVALID, ErrorCode.PLAN_INVALID.format(source + " has " + problems.size()
                + (problems.size() == 1 ? " problem" : " problems")), null);
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
