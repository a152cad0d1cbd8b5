package dev.lifeboat.cli.repo;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Json;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Compression;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.store.ObjectStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import dev.lifeboat.cli.output.Output;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat repo init}: create an empty repository. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Create a new repository in an empty location.",
                "",
                "Encryption (AES-256-GCM) is on unless --no-encryption is given. The master key is wrapped by the "
                + "passphrase (Argon2id) or key file; losing both means losing the backups, so keep them somewhere safe."})
public final class RepoInitCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Option(names = "--no-encryption", description = "Store objects unencrypted (only for throw-away repositories).")
    boolean noEncryption;

    @Option(names = "--compression", paramLabel = "ALGORITHM", description = "zstd (default), lz4 or none.")
    String compression = "zstd";

    @Option(names = "--level", paramLabel = "N", description = "Compression level (zstd default 3).")
    Integer level;

    @Mixin
    Output output;


    @Override
    public Integer call() {
        Compression.Algorithm algorithm;
        try {
            algorithm = Compression.Algorithm.valueOf(compression.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new LifeboatException(ErrorCode.USAGE, "unknown compression '" + compression + "'", "Use zstd, lz4 or none.");
        }
        ObjectStore store = access.store();
        Optional<Credentials> credentials = noEncryption ? Optional.empty() : access.credentials(true, true);
        Repository repo = Repository.init(store, credentials, RepositoryOptions.defaults().withEncryption(!noEncryption)
                .withCompression(new Compression(algorithm, level != null ? level : algorithm == Compression.Algorithm.ZSTD ? 3 : 1)));
        access.finishCopies(output.err(), 30_000);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("location", store.location());
        out.put("id", repo.config().id());
        out.put("encryption", repo.config().encryption());
        out.put("compression", repo.compressionName());
        if (output.json()) {
            output.out().println(Json.write(out));
        } else {
            output.out().println("Created repository " + repo.config().id() + " at " + store.location()
                    + " (encryption " + repo.config().encryption() + ", compression " + repo.compressionName() + ").");
            if (noEncryption) {
                output.err().println("warning: this repository is NOT encrypted: anyone who can read the store can read the backups.");
            }
        }
        return 0;
    }
}
