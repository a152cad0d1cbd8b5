package dev.lifeboat.cli.repo;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Json;
import dev.lifeboat.cli.output.Sizes;
import dev.lifeboat.repository.Layout;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.store.ObjectInfo;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import dev.lifeboat.cli.output.Output;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code lifeboat repo info}: what the repository is and holds. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show the repository's settings, keys and size.")
public final class RepoInfoCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Mixin
    Output output;


    @Override
    public Integer call() {
        Repository repo = access.open();
        List<ObjectInfo> packs = repo.store().list(Layout.DATA);
        long packBytes = packs.stream().mapToLong(ObjectInfo::size).sum();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("location", repo.store().location());
        out.put("id", repo.config().id());
        out.put("format", repo.config().format());
        out.put("created", repo.config().created());
        out.put("encryption", repo.config().encryption());
        out.put("keys", repo.keySummary());
        out.put("compression", repo.compressionName());
        out.put("snapshots", repo.snapshots().ids().size());
        out.put("packs", packs.size());
        out.put("pack_bytes", packBytes);
        out.put("chunks", repo.index().size());
        PrintWriter w = output.out();
        if (output.json()) {
            w.println(Json.write(out));
        } else {
            out.put("pack_bytes", Sizes.bytes(packBytes));
            out.forEach((k, v) -> w.printf("%-12s %s%n", k.replace('_', ' '), v));
        }
        return 0;
    }
}
