package dev.lifeboat.drill;

import dev.lifeboat.sandbox.Ledger;
import dev.lifeboat.sandbox.Sandbox;
import java.util.List;
import java.util.Set;

/**
 * A failure from the seed's test scenarios, injected into a running sandbox while the workload writes, and the
 * recovery from it. The runner measures RTO and data loss from the ledger; the scenario says when the fault
 * happened, whether the recovered data validates, and which acknowledged writes are missing afterwards.
 */
public interface Scenario {
    /** What a scenario run reports back to the runner (times in epoch milliseconds). */
    record Recovery(long faultAt, boolean validated, List<String> validation) {
    }

    String name();

    /** One sentence: what breaks and how Lifeboat recovers. */
    String description();

    /** The plan resource it breaks (its targets come from the components using it). */
    String resource();

    /** The ledger's kind of writes that measure this scenario ("progress" or "session"). */
    String writeKind();

    /** Injects the fault and recovers, recording phases in {@code timeline}; the workload keeps writing throughout. */
    Recovery run(Sandbox box, Ledger ledger, Timeline timeline);

    /** Of the acknowledged writes' ids, those missing from the recovered system. */
    Set<String> missing(Sandbox box, List<String> acknowledgedIds);
}
