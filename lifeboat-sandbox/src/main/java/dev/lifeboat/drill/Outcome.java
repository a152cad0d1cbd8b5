package dev.lifeboat.drill;

import dev.lifeboat.sandbox.Ledger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What one scenario measured, from the client's ledger:
 * <ul>
 *   <li><b>RTO</b>: from the fault to the first write acknowledged after the outage began (the outage begins at the
 *       first failed write after the fault; if none failed, at the fault itself);</li>
 *   <li><b>lost acknowledged writes</b>: writes the application acknowledged that the recovered system does not
 *       have; <b>RPO</b> is the time they span, from the last acknowledged write that survived before the first lost
 *       one to the last lost one (0 when nothing is lost);</li>
 * </ul>
 * each compared with the plan's targets for the components the scenario affects.
 */
public record Outcome(String scenario, String description, String resource, long faultAt, Long restoredAt, double rtoSeconds,
                      double rpoSeconds, long lostAcknowledgedWrites, long acknowledgedWrites, boolean validated, List<String> validation,
                      Targets targets, List<Timeline.Phase> phases, List<Timeline.Event> events, Series series) {

    /** Acknowledged and failed writes per bucket, for the report's chart. */
    public record Series(long start, int bucketMillis, List<Integer> acknowledged, List<Integer> failed) {
    }

    public boolean rtoMet() {
        return restoredAt != null && rtoSeconds <= targets.rto().toSeconds();
    }

    public boolean rpoMet() {
        return rpoSeconds <= targets.rpo().toSeconds();
    }

    public boolean passed() {
        return validated && rtoMet() && rpoMet();
    }

    static Outcome measure(Scenario s, Scenario.Recovery r, Ledger ledger, Set<String> missing, Targets targets, Timeline t, long start) {
        String kind = s.writeKind();
        List<Ledger.Write> writes = new ArrayList<>(ledger.writes(kind));
        writes.sort(Comparator.comparingLong(Ledger.Write::ackedAt));
        long outage = ledger.failures(kind).stream().filter(f -> f >= r.faultAt()).min(Long::compare).orElse(r.faultAt());
        Optional<Ledger.Write> back = ledger.firstAckAfter(kind, outage);
        Long restored = back.map(Ledger.Write::ackedAt).orElse(null);
        double rto = restored == null ? Double.NaN : (restored - r.faultAt()) / 1000.0;
        List<Ledger.Write> lost = writes.stream().filter(w -> missing.contains(w.id())).toList();
        double rpo = 0;
        if (!lost.isEmpty()) {
            long firstLost = lost.get(0).ackedAt();
            long lastSafe = writes.stream().filter(w -> w.ackedAt() < firstLost && !missing.contains(w.id())).mapToLong(Ledger.Write::ackedAt)
                    .max().orElse(firstLost);
            rpo = (lost.get(lost.size() - 1).ackedAt() - lastSafe) / 1000.0;
        }
        return new Outcome(s.name(), s.description(), s.resource(), r.faultAt(), restored, rto, rpo, lost.size(), writes.size(), r.validated(),
                r.validation(), targets, t.phases(), t.events(), series(writes, ledger.failures(kind), start));
    }

    private static Series series(List<Ledger.Write> writes, List<Long> failures, long start) {
        int bucket = 250;
        long end = Math.max(writes.stream().mapToLong(Ledger.Write::ackedAt).max().orElse(start),
                failures.stream().mapToLong(Long::longValue).max().orElse(start));
        int n = (int) ((end - start) / bucket) + 1;
        List<Integer> acks = new ArrayList<>(java.util.Collections.nCopies(n, 0));
        List<Integer> fails = new ArrayList<>(java.util.Collections.nCopies(n, 0));
        for (Ledger.Write w : writes) {
            int i = (int) ((w.ackedAt() - start) / bucket);
            if (i >= 0 && i < n) {
                acks.set(i, acks.get(i) + 1);
            }
        }
        for (long f : failures) {
            int i = (int) ((f - start) / bucket);
            if (i >= 0 && i < n) {
                fails.set(i, fails.get(i) + 1);
            }
        }
        return new Series(start, bucket, acks, fails);
    }
}
