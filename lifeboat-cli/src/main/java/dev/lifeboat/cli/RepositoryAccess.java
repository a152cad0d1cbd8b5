package dev.lifeboat.cli;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Plan;
import dev.lifeboat.core.plan.Region;
import dev.lifeboat.core.plan.Secret;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.region.RegionSet;
import dev.lifeboat.repository.store.ObjectStore;
import dev.lifeboat.repository.store.RetryingObjectStore;
import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How a command reaches the repository, shared by every command that needs one. The location comes from
 * {@code --repo}, else {@code $LIFEBOAT_REPOSITORY}, else the plan's primary region. The key comes from
 * {@code --passphrase-file} or {@code --key-file}, else {@code $LIFEBOAT_PASSPHRASE}, else the plan's
 * {@code repository.encryption} source, else a prompt on the terminal.
 */
public final class RepositoryAccess {
    private Optional<Credentials> openedWith = Optional.empty();

    public static final String REPO_ENV = "LIFEBOAT_REPOSITORY";
    public static final String PASSPHRASE_ENV = "LIFEBOAT_PASSPHRASE";

    @Option(names = "--repo", paramLabel = "[NAME=]LOCATION",
            description = {"Repository location: a directory, s3://BUCKET/PREFIX, gs://BUCKET/PREFIX or azure://ACCOUNT/CONTAINER/PREFIX "
                    + "(default: $LIFEBOAT_REPOSITORY, else the plan's regions). Repeat for several regions, primary first: "
                    + "--repo us-east=s3://backups/lifeboat --repo dr=/mnt/backup. See docs/stores.md."})
    List<String> repos;

    @Option(names = "--commit-after", paramLabel = "N",
            description = "Regions that must hold an object before a write counts (default: the plan's commit-after, else 1).")
    Integer commitAfter;

    @Mixin
    PlanAccess plans;

    @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Read the passphrase from FILE (default: $LIFEBOAT_PASSPHRASE).")
    Path passphraseFile;

    @Option(names = "--key-file", paramLabel = "FILE", description = "Unlock with a key file of at least 32 random bytes instead of a passphrase.")
    Path keyFile;

    private final Map<String, String> env;
    private final Stores stores;

    public RepositoryAccess() {
        this(Lifeboat.environment());
    }

    RepositoryAccess(Map<String, String> env) {
        this.env = env;
        this.stores = new Stores(env);
        this.plans = new PlanAccess(env);
    }

    /** The plan, when one is given or ./lifeboat.yaml exists. */
    public Optional<Plan> plan() {
        return plans.plan();
    }

    /** The plan and its secrets, for what takes no repository. */
    public PlanAccess plans() {
        return plans;
    }

    /**
     * The store the repository lives in, each region with retries on transient failures; several regions form a
     * {@link RegionSet}, primary first.
     */
    public ObjectStore store() {
        if (store == null) {
            List<dev.lifeboat.repository.region.Region> regions = new ArrayList<>();
            int commit = 1;
            List<String> given = repos != null ? repos : env.get(REPO_ENV) != null ? List.of(env.get(REPO_ENV)) : List.of();
            if (!given.isEmpty()) {
                int n = 0;
                for (String spec : given) {
                    n++;
                    int eq = spec.indexOf('=');
                    boolean named = eq > 0 && !spec.substring(0, eq).contains("/") && !spec.substring(0, eq).contains(":");
                    regions.add(new dev.lifeboat.repository.region.Region(named ? spec.substring(0, eq) : "region-" + n,
                            retrying(stores.open(named ? spec.substring(eq + 1) : spec))));
                }
            } else {
                dev.lifeboat.core.plan.Repository r = plan().flatMap(Plan::repository).orElseThrow(() -> new LifeboatException(ErrorCode.USAGE,
                        "no repository given", "Pass --repo DIR, set " + REPO_ENV + ", or define repository.regions in the plan."));
                Region primary = r.regions().get(r.primaryRegion());
                regions.add(new dev.lifeboat.repository.region.Region(primary.name(), retrying(stores.open(primary))));
                for (Region other : r.regions().values()) {
                    if (!other.name().equals(primary.name())) {
                        regions.add(new dev.lifeboat.repository.region.Region(other.name(), retrying(stores.open(other))));
                    }
                }
                commit = r.commitAfter();
            }
            if (commitAfter != null) {
                commit = commitAfter;
            }
            if (commit < 1 || commit > regions.size()) {
                throw new LifeboatException(ErrorCode.USAGE, "--commit-after " + commit + " with " + regions.size() + " region(s)",
                        "commit-after must be between 1 and the number of regions.");
            }
            store = regions.size() == 1 ? regions.get(0).store() : new RegionSet(regions, commit);
        }
        return store;
    }

    private ObjectStore store;

    private ObjectStore retrying(ObjectStore s) {
        return brief ? RetryingObjectStore.brief(s) : RetryingObjectStore.patient(s);
    }

    private boolean brief;

    /**
     * Retries transient store failures briefly (about 1.4 s) instead of patiently (about 16 s): for commands someone
     * waits on with a timeout of their own, such as a monitoring check. Call before the store is opened.
     */
    public RepositoryAccess answerQuickly() {
        this.brief = true;
        return this;
    }

    /** The regions, when the repository spans several. */
    public Optional<RegionSet> regions() {
        return store() instanceof RegionSet r ? Optional.of(r) : Optional.empty();
    }

    /**
     * Gives background copies to the other regions up to {@code millis} to finish, and says on stderr what is left
     * for {@code repo sync}. Call at the end of commands that write.
     */
    public void finishCopies(java.io.PrintWriter err, long millis) {
        regions().ifPresent(r -> {
            long left = r.drain(millis);
            if (left > 0 || r.failedCopies() > 0) {
                err.println("note: " + (left > 0 ? left + " copies to other regions are still pending" : "")
                        + (left > 0 && r.failedCopies() > 0 ? " and " : "")
                        + (r.failedCopies() > 0 ? r.failedCopies() + " failed (a region is unreachable)" : "")
                        + "; the backup is committed. 'lifeboat repo status' shows the lag, 'lifeboat repo sync' repairs it.");
            }
        });
    }

    /** A PostgreSQL cluster of the plan, if there is a plan and it names one. */
    public Optional<dev.lifeboat.core.plan.PostgresCluster> postgres(String name) {
        return plans.postgres(name);
    }

    /** The password for a cluster: the plan's secret source, else {@code $PGPASSWORD}, else none. */
    public Optional<String> postgresPassword(String name) {
        return plans.postgresPassword(name);
    }

    /** A plan secret's value, read now from its source. */
    public String resolve(dev.lifeboat.core.plan.Secret secret) {
        return plans.resolve(secret);
    }

    /** Whether a credential file was named on the command line (--key-file or --passphrase-file). */
    public boolean credentialGiven() {
        return keyFile != null || passphraseFile != null;
    }

    /** The credential, if any source provides one; {@code prompt} asks on the terminal as a last resort. */
    public Optional<Credentials> credentials(boolean prompt, boolean confirm) {
        if (keyFile != null && passphraseFile != null) {
            throw new LifeboatException(ErrorCode.USAGE, "--key-file and --passphrase-file exclude each other",
                    "A repository is opened with one credential: give the one it was initialised or last rotated with.");
        }
        if (keyFile != null) {
            return Optional.of(keyFile(readSecretFile(keyFile, "key file"), keyFile.toString()));
        }
        if (passphraseFile != null) {
            return Optional.of(passphrase(new String(readSecretFile(passphraseFile, "passphrase file"), StandardCharsets.UTF_8).strip()));
        }
        String fromEnv = env.get(PASSPHRASE_ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return Optional.of(passphrase(fromEnv));
        }
        Optional<Secret> fromPlan = Optional.empty();
        if (repos == null && env.get(REPO_ENV) == null) {
            fromPlan = plan().flatMap(p -> p.repository()).flatMap(r -> r.encryption().passphrase().or(() -> r.encryption().keyFile()));
        }
        if (fromPlan.isPresent()) {
            Secret s = fromPlan.get();
            boolean isKeyFile = plan().flatMap(p -> p.repository()).map(r -> r.encryption().keyFile().isPresent()).orElse(false);
            byte[] value = s.env().isPresent() ? stores.resolve(s).getBytes(StandardCharsets.UTF_8)
                    : readSecretFile(Path.of(s.file().orElseThrow()), "key source");
            return Optional.of(isKeyFile ? keyFile(value, "the plan's key source") : passphrase(new String(value, StandardCharsets.UTF_8).strip()));
        }
        Console console = System.console();
        if (prompt && console != null) {
            char[] first = console.readPassword("Repository passphrase: ");
            if (first == null || first.length == 0) {
                throw LifeboatException.of(ErrorCode.KEY_REQUIRED, "no passphrase was entered");
            }
            if (confirm) {
                char[] again = console.readPassword("Repeat the passphrase: ");
                if (!Arrays.equals(first, again)) {
                    throw new LifeboatException(ErrorCode.USAGE, "the two passphrases differ", "Type the same passphrase twice.");
                }
            }
            return Optional.of(new Credentials.Passphrase(first));
        }
        return Optional.empty();
    }

    private static Credentials keyFile(byte[] key, String source) {
        if (key.length < 32) {
            throw LifeboatException.of(ErrorCode.KEY_REQUIRED, "the key file " + source + " holds " + key.length + " bytes; a key file holds at least 32");
        }
        return new Credentials.KeyFile(key);
    }

    private static Credentials passphrase(String value) {
        if (value.isEmpty()) {
            throw LifeboatException.of(ErrorCode.KEY_REQUIRED, "the passphrase is empty");
        }
        return new Credentials.Passphrase(value.toCharArray());
    }

    private static byte[] readSecretFile(Path file, String what) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            dev.lifeboat.core.io.SecretFile.looseMode(file, what).ifPresent(Lifeboat::warn);
            return bytes;
        } catch (IOException e) {
            throw LifeboatException.of(ErrorCode.KEY_REQUIRED, "cannot read the " + what + " " + file + ": " + e.getMessage());
        }
    }

    /** Opens the repository, asking for the passphrase on a terminal if nothing else provides it. */
    public Repository open() {
        ObjectStore store = store();
        Optional<Credentials> given = credentials(true, false);
        Repository repo = Repository.open(store, given);
        openedWith = given;
        return repo;
    }

    /**
     * The credential {@link #open()} opened the repository with: what a command that keeps the current credential
     * must reuse, since asking the terminal again would take a mistyped second answer unchecked.
     */
    public Optional<Credentials> openedWith() {
        return openedWith;
    }

}
