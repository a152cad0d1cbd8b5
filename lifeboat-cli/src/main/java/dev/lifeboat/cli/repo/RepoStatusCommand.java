package dev.lifeboat.cli.repo;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Json;
import dev.lifeboat.cli.output.Sizes;
import dev.lifeboat.cli.output.Table;
import dev.lifeboat.core.time.Durations;
import dev.lifeboat.repository.region.Region;
import dev.lifeboat.repository.region.RegionSet;
import dev.lifeboat.repository.region.RegionStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import dev.lifeboat.cli.output.Output;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code lifeboat repo status}: per-region lag. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show each region's lag behind the others: objects and bytes it lacks, and the age of the oldest "
                + "object it lacks (how stale a restore from that region alone would be). Needs no passphrase."},
        footer = {"", "Exit status: 0 every region is complete; 103 some region lags or is unreachable (region-behind)."})
public final class RepoStatusCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Mixin
    Output output;


    @Override
    public Integer call() {
        RegionSet set = access.regions().orElseGet(() -> new RegionSet(List.of(new Region("primary", access.store())), 1));
        List<RegionStatus> status = RegionStatus.of(set, Instant.now());
        if (output.json()) {
            List<Object> out = new ArrayList<>();
            for (RegionStatus s : status) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("region", s.region());
                m.put("location", s.location());
                m.put("reachable", s.reachable());
                m.put("in_sync", s.inSync());
                m.put("objects", s.objects());
                m.put("bytes", s.bytes());
                m.put("missing_objects", s.missingObjects());
                m.put("missing_bytes", s.missingBytes());
                m.put("differing_objects", s.differingObjects());
                m.put("lag_seconds", s.lagAge().map(Duration::getSeconds).orElse(null));
                m.put("error", s.error().orElse(null));
                out.add(m);
            }
            output.out().println(Json.write(Map.of("commit_after", set.commitAfter(), "regions", out)));
        } else {
            Table t = new Table("REGION", "REACHABLE", "OBJECTS", "SIZE", "MISSING", "MISSING SIZE", "LAG", "LOCATION");
            for (RegionStatus s : status) {
                t.row(s.region(), s.reachable() ? "yes" : "NO", s.objects(), Sizes.bytes(s.bytes()), s.missingObjects(),
                        Sizes.bytes(s.missingBytes()), s.lagAge().map(d -> Durations.format(Duration.ofSeconds(d.getSeconds()))).orElse(s.reachable() ? "-" : "?"), s.location());
            }
            output.out().print(t.render());
            status.stream().filter(s -> !s.reachable()).forEach(s -> output.out().println(s.region() + ": " + s.error().orElse("")));
            status.stream().filter(s -> s.differingObjects() > 0).forEach(s -> output.out().println(s.region() + ": " + s.differingObjects()
                    + " object(s) differ in size from another region's copy (one copy is damaged): 'lifeboat repo verify' in each region "
                    + "tells which, 'lifeboat repo sync --verify --from HEALTHY --to DAMAGED' repairs it"));
            output.out().println(status.stream().allMatch(RegionStatus::inSync) ? "Every region is complete."
                    : "Some region lags: 'lifeboat repo sync' brings it level once it is reachable.");
        }
        return status.stream().allMatch(RegionStatus::inSync) ? 0 : dev.lifeboat.core.error.ErrorCode.REGION_BEHIND.exitStatus();
    }
}
