package dev.lifeboat.cli.snapshots;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Json;
import dev.lifeboat.cli.output.Sizes;
import dev.lifeboat.cli.output.Table;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import dev.lifeboat.cli.output.Output;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat snapshots list}. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List snapshots, oldest first.")
public final class SnapshotsListCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Option(names = "--name", paramLabel = "NAME", description = "Only snapshots of this name.")
    String name;

    @Mixin
    Output output;


    @Override
    public Integer call() {
        Repository repo = access.open();
        List<Snapshot> all = repo.snapshots().list().stream().filter(s -> name == null || name.equals(s.manifest().name())).toList();
        if (output.json()) {
            List<Object> out = new ArrayList<>();
            for (Snapshot s : all) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", s.id());
                m.put("time", s.manifest().time());
                m.put("ended", s.manifest().ended());
                m.put("host", s.manifest().host());
                m.put("kind", s.manifest().kind());
                m.put("name", s.manifest().name());
                m.put("source", s.manifest().source());
                m.put("tags", s.manifest().tags());
                m.put("stats", s.manifest().stats());
                out.add(m);
            }
            output.out().println(Json.write(out));
            return 0;
        }
        Table t = new Table("ID", "TIME (UTC)", "KIND", "NAME", "FILES", "SIZE", "NEW", "STORED", "SOURCE");
        for (Snapshot s : all) {
            var st = s.manifest().stats();
            t.row(s.shortId(), s.manifest().time().replace('T', ' ').replaceAll("\\.\\d+Z$", "Z"), s.manifest().kind(), s.manifest().name(),
                    st.files(), Sizes.bytes(st.bytes()), Sizes.bytes(st.newBytes()), Sizes.bytes(st.storedBytes()), s.manifest().source());
        }
        output.out().print(t.render());
        output.out().println(all.size() + " snapshot(s).");
        return 0;
    }
}
