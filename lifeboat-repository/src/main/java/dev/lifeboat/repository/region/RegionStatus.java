package dev.lifeboat.repository.region;

import dev.lifeboat.repository.Layout;
import dev.lifeboat.repository.store.ObjectInfo;
import dev.lifeboat.repository.store.StoreException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How far each region is behind the union of all regions: objects and bytes it lacks, and the age of the oldest
 * object it lacks (how stale a restore from that region alone would be). Locks are not replicated and not counted.
 *
 * @param error why the region could not be listed, when it is unreachable
 */
public record RegionStatus(String region, String location, boolean reachable, long objects, long bytes, long missingObjects,
                           long missingBytes, Optional<Duration> lagAge, Optional<String> error, long differingObjects) {

    /**
     * {@code differingObjects}: packs, indexes and snapshots (named by their content, so every copy must be the same)
     * whose size here differs from another region's copy: a truncated or replaced copy in one of them.
     */
    public boolean inSync() {
        return reachable && missingObjects == 0 && differingObjects == 0;
    }

    public static List<RegionStatus> of(RegionSet set, Instant now) {
        Map<String, Map<String, ObjectInfo>> listings = new LinkedHashMap<>();
        Map<String, String> errors = new HashMap<>();
        Map<String, ObjectInfo> union = new HashMap<>();
        Map<String, java.util.Set<Long>> sizes = new HashMap<>();
        for (Region r : set.regions()) {
            try {
                Map<String, ObjectInfo> objects = new HashMap<>();
                for (ObjectInfo info : r.store().list("")) {
                    if (!info.name().startsWith(Layout.LOCKS)) {
                        objects.put(info.name(), info);
                        if (RegionSync.contentAddressed(info.name())) {
                            sizes.computeIfAbsent(info.name(), k -> new java.util.HashSet<>()).add(info.size());
                        }
                        union.merge(info.name(), info, (a, b) -> a.modified().isBefore(b.modified()) ? a : b);
                    }
                }
                listings.put(r.name(), objects);
            } catch (StoreException e) {
                errors.put(r.name(), e.getMessage());
            }
        }
        List<RegionStatus> out = new ArrayList<>();
        for (Region r : set.regions()) {
            Map<String, ObjectInfo> mine = listings.get(r.name());
            if (mine == null) {
                out.add(new RegionStatus(r.name(), r.store().location(), false, 0, 0, 0, 0, Optional.empty(),
                        Optional.of(errors.get(r.name())), 0));
                continue;
            }
            long missing = 0;
            long missingBytes = 0;
            Instant oldest = null;
            for (ObjectInfo info : union.values()) {
                if (!mine.containsKey(info.name())) {
                    missing++;
                    missingBytes += info.size();
                    if (oldest == null || info.modified().isBefore(oldest)) {
                        oldest = info.modified();
                    }
                }
            }
            long bytes = mine.values().stream().mapToLong(ObjectInfo::size).sum();
            long differing = mine.keySet().stream().filter(n -> sizes.getOrDefault(n, java.util.Set.of()).size() > 1).count();
            Instant o = oldest;
            out.add(new RegionStatus(r.name(), r.store().location(), true, mine.size(), bytes, missing, missingBytes,
                    Optional.ofNullable(o).map(t -> Duration.between(t, now).isNegative() ? Duration.ZERO : Duration.between(t, now)),
                    Optional.empty(), differing));
        }
        return out;
    }
}
