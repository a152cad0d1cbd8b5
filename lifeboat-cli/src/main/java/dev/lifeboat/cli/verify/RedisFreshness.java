package dev.lifeboat.cli.verify;

import dev.lifeboat.core.plan.Plan;
import dev.lifeboat.core.time.Durations;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The quick check of Redis protection: for every instance with snapshots (and every Redis instance of the plan),
 * the newest snapshot's age against the tightest RPO of the components and data classes that keep data in it.
 * An instance of the plan without any snapshot is a problem.
 */
final class RedisFreshness {
    private RedisFreshness() {
    }

    static List<Object> check(Repository repo, Optional<Plan> plan, Instant now, java.util.function.Predicate<String> covers, List<String> checked,
                              List<String> problems) {
        Map<String, List<Snapshot>> byInstance = new TreeMap<>();
        plan.ifPresent(p -> p.resources().redis().keySet().forEach(n -> byInstance.put(n, new ArrayList<>())));
        for (Snapshot s : repo.snapshots().list()) {
            if ("redis".equals(s.manifest().kind())) {
                byInstance.computeIfAbsent(s.manifest().name(), k -> new ArrayList<>()).add(s);
            }
        }
        byInstance.keySet().removeIf(covers.negate());
        List<Object> out = new ArrayList<>();
        for (Map.Entry<String, List<Snapshot>> e : byInstance.entrySet()) {
            String name = e.getKey();
            // What the plan names in particular, else its overall RPO objective, as 'lifeboat status' judges it.
            Optional<Duration> target = plan.map(p -> dev.lifeboat.core.plan.RpoTarget.orObjective(p, name));
            Optional<Snapshot> newest = e.getValue().stream().max(Comparator.comparing(Snapshot::time));
            Optional<Duration> age = newest.map(s -> Duration.between(s.time(), now));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("instance", name);
            m.put("snapshots", e.getValue().size());
            m.put("newest", newest.map(Snapshot::id).orElse(null));
            m.put("newest_age_seconds", age.map(Duration::getSeconds).orElse(null));
            m.put("keys", newest.map(s -> s.manifest().labels().get("keys")).orElse(null));
            m.put("rpo_target_seconds", target.map(Duration::getSeconds).orElse(null));
            out.add(m);
            if (newest.isEmpty()) {
                problems.add("redis " + name + ": no snapshot; take one with 'lifeboat backup redis --instance " + name + "'");
                continue;
            }
            checked.add("redis " + name + ": " + e.getValue().size() + " snapshot(s), newest " + newest.get().shortId() + " with "
                    + newest.get().manifest().labels().get("keys") + " keys, " + Durations.format(Duration.ofSeconds(Math.max(1, age.get().getSeconds())))
                    + " old" + target.map(t -> " (target " + Durations.format(t) + ")").orElse(""));
            if (target.isPresent() && age.get().compareTo(target.get()) > 0) {
                problems.add("redis " + name + ": the newest snapshot is " + Durations.format(Duration.ofSeconds(age.get().getSeconds()))
                        + " old, more than the RPO target " + Durations.format(target.get()));
            }
        }
        return out;
    }
}
