package dev.lifeboat.core.config;

import dev.lifeboat.core.error.ErrorCode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Collects every problem found in a plan, so that one run reports all of them instead of the first. */
public final class Problems {
    private final List<Problem> list = new ArrayList<>();

    public void add(Position at, ErrorCode code, String message, String hint) {
        list.add(new Problem(at, code, message, hint == null ? code.hint() : hint));
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    /** The problems in file order. */
    public List<Problem> sorted() {
        List<Problem> copy = new ArrayList<>(list);
        Collections.sort(copy);
        return Collections.unmodifiableList(copy);
    }
}
