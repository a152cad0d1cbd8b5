package dev.lifeboat.drill;

import dev.lifeboat.sandbox.Ledger;
import dev.lifeboat.sandbox.Sandbox;
import dev.lifeboat.sandbox.Workload;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs scenarios one after another, each in a fresh sandbox under {@code dir/<scenario>}: the stack is built and
 * protected, the workload writes for a few seconds, the scenario injects its fault and recovers, the workload goes
 * on until writes are acknowledged again (or 30 s pass), and the ledger is compared with the recovered system.
 * Every sandbox is stopped afterwards unless {@code keep} is set.
 */
public final class Drill {
    static final long WARM_UP_MILLIS = 2500;
    static final long AFTER_MILLIS = 1500;

    private final Path dir;
    private final boolean keep;
    private final Consumer<String> out;

    public Drill(Path dir, boolean keep, Consumer<String> out) {
        this.dir = dir;
        this.keep = keep;
        this.out = out;
    }

    public static List<Scenario> scenarios(String which) {
        return switch (which) {
            case "data-corruption" -> List.of(new DataCorruption());
            case "primary-failure" -> List.of(new PrimaryFailure());
            case "cache-failure" -> List.of(new CacheFailure());
            case "all" -> List.of(new DataCorruption(), new PrimaryFailure(), new CacheFailure());
            default -> throw new IllegalArgumentException(which);
        };
    }

    public Outcome run(Scenario s) {
        out.accept("== " + s.name() + ": " + s.description());
        Sandbox box = Sandbox.start(dir.resolve(s.name()), step -> out.accept("   " + step));
        try {
            Ledger ledger = new Ledger();
            Timeline timeline = new Timeline(text -> out.accept("   " + text));
            long start = System.currentTimeMillis();
            Scenario.Recovery r;
            try (Workload w = new Workload(box.app().base(), ledger, 40, 20)) {
                out.accept("   workload: 40 progress events/s and 20 sessions/s through " + box.app().base());
                Probes.sleep(WARM_UP_MILLIS);
                long injected = System.currentTimeMillis();
                try {
                    r = s.run(box, ledger, timeline);
                } catch (RuntimeException e) {
                    // A recovery that fails is what a drill exists to catch: it is reported as a FAIL with the
                    // reason, and the other scenarios still run.
                    timeline.event("the recovery failed: " + e.getMessage());
                    r = new Scenario.Recovery(injected, false, List.of("the recovery failed: " + e.getMessage()));
                }
                long deadline = System.currentTimeMillis() + 30_000;
                while (ledger.firstAckAfter(s.writeKind(), lastFailure(ledger, s, r)).isEmpty() && System.currentTimeMillis() < deadline) {
                    Probes.sleep(100);
                }
                Probes.sleep(AFTER_MILLIS);
            }
            List<String> ids = ledger.writes(s.writeKind()).stream().map(Ledger.Write::id).toList();
            java.util.Set<String> missing;
            try {
                missing = s.missing(box, ids);
            } catch (RuntimeException e) {
                List<String> validation = new java.util.ArrayList<>(r.validation());
                validation.add("lost writes not counted: the recovered system could not be read (" + e.getMessage() + ")");
                r = new Scenario.Recovery(r.faultAt(), false, validation);
                missing = java.util.Set.of();
            }
            Outcome o = Outcome.measure(s, r, ledger, missing, Targets.of(box.plan(), s.resource()), timeline, start);
            out.accept(String.format("   RTO %.2f s (target %s), lost %d of %d acknowledged writes (RPO %.2f s, target %s), validated: %s -> %s",
                    o.rtoSeconds(), dev.lifeboat.core.time.Durations.format(o.targets().rto()), o.lostAcknowledgedWrites(), o.acknowledgedWrites(),
                    o.rpoSeconds(), dev.lifeboat.core.time.Durations.format(o.targets().rpo()), o.validated(), o.passed() ? "PASS" : "FAIL"));
            return o;
        } finally {
            if (!keep) {
                try {
                    box.close();
                } catch (RuntimeException e) {
                    // The measurement stands; a server that would not stop is named (the harness reaps it at exit).
                    out.accept("   could not stop the sandbox cleanly: " + e.getMessage());
                }
            }
        }
    }

    private static long lastFailure(Ledger ledger, Scenario s, Scenario.Recovery r) {
        return ledger.failures(s.writeKind()).stream().filter(f -> f >= r.faultAt()).min(Long::compare).orElse(r.faultAt());
    }
}
