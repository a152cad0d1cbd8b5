package dev.lifeboat.core.config;

import dev.lifeboat.core.error.ErrorCode;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The state of one bind of a plan file: problems found so far, names defined, references to resolve, and checks
 * that must wait until every section is bound (cross-references, cross-section consistency).
 */
public final class Binding {
    private final Problems problems;
    private final Symbols symbols = new Symbols();
    private final List<Runnable> deferred = new ArrayList<>();
    private final Map<Object, Values> origins = new IdentityHashMap<>();

    Binding(Problems problems) {
        this.problems = problems;
    }

    public Problems problems() {
        return problems;
    }

    public Symbols symbols() {
        return symbols;
    }

    /** Reports a problem with the code's default hint unless {@code hint} is given. */
    public void report(Position at, ErrorCode code, String message, String hint) {
        problems.add(at, code, message, hint);
    }

    /** The values a bound model object was built from, so later checks can point at its fields. */
    public Values valuesOf(Object built) {
        return origins.get(built);
    }

    void remember(Object built, Values values) {
        origins.put(built, values);
    }

    /** Runs {@code check} after every section is bound and every reference resolved. */
    void later(Runnable check) {
        deferred.add(check);
    }

    /** Records a reference to be resolved once all definitions are known. */
    void reference(Set<Kind> kinds, String name, Position at, String path) {
        later(() -> {
            if (symbols.kindOf(name, kinds).isEmpty()) {
                String kindText = kinds.equals(Kind.RESOURCES) ? "resource"
                        : kinds.stream().map(Kind::label).collect(Collectors.joining(" or "));
                String hint = Spelling.didYouMean(name, symbols.names(kinds));
                List<String> known = symbols.names(kinds);
                if (hint == null) {
                    hint = known.isEmpty() ? "No " + kindText + " is defined yet; define one or correct the name."
                            : "Defined: " + String.join(", ", known) + ".";
                }
                report(at, ErrorCode.UNDEFINED_REFERENCE, ErrorCode.UNDEFINED_REFERENCE.format(path, kindText, name), hint);
            }
        });
    }

    void finish() {
        // Checks may add further checks; run until none are left.
        for (int i = 0; i < deferred.size(); i++) {
            deferred.get(i).run();
        }
    }
}
