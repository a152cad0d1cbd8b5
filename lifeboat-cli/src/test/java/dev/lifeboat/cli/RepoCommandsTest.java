package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepoCommandsTest {
    @TempDir
    Path tmp;
    Path repo;
    Path pass;
    Path source;



    /** Runs with the repository and passphrase options appended. */
    Cli.Result lb(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--repo", repo.toString(), "--passphrase-file", pass.toString()));
        return Cli.run(all.toArray(String[]::new));
    }

    @BeforeEach
    void setUp() throws Exception {
        repo = tmp.resolve("repo");
        pass = Files.writeString(tmp.resolve("pass"), "correct horse battery staple\n");
        source = Files.createDirectories(tmp.resolve("helm"));
        Files.writeString(source.resolve("values.yaml"), "replicaCount: 3\nimage: {tag: latest-stable}\n".repeat(200));
        Files.createDirectories(source.resolve("templates/empty"));
        Files.writeString(source.resolve("templates/deployment.yaml"), "kind: Deployment\n");
        assertThat(lb("repo", "init").status()).isZero();
    }

    @Test
    void aPassphraseFileOthersMayReadIsSaidButStillOpens() throws Exception {
        Files.setPosixFilePermissions(pass, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Cli.Result loose = lb("snapshots", "list");
        assertThat(loose.status()).as(loose.err()).isZero();
        assertThat(loose.err()).contains("warning: the passphrase file " + pass + " may be read by others (rw-r--r--): chmod 600");
        Files.setPosixFilePermissions(pass, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(lb("snapshots", "list").err()).doesNotContain("warning");
    }

    @Test
    void backupListRestoreVerifyRoundTrip() throws Exception {
        Cli.Result backup = lb("backup", "dir", "--source", source.toString(), "--name", "helm-values", "--json");
        assertThat(backup.status()).as(backup.err()).isZero();
        String id = backup.json().get("snapshot").asText();
        assertThat(backup.json().get("stats").get("files").asInt()).isEqualTo(2);

        JsonNode list = lb("snapshots", "list", "--json").json();
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("id").asText()).isEqualTo(id);
        assertThat(list.get(0).get("name").asText()).isEqualTo("helm-values");

        Path target = tmp.resolve("restored");
        Cli.Result restore = lb("restore", "dir", "--snapshot", id.substring(0, 8), "--to", target.toString());
        assertThat(restore.status()).as(restore.err()).isZero();
        assertThat(Files.readString(target.resolve("values.yaml"))).isEqualTo(Files.readString(source.resolve("values.yaml")));
        assertThat(target.resolve("templates/empty")).isDirectory();

        Cli.Result verify = lb("repo", "verify", "--deep");
        assertThat(verify.status()).isZero();
        assertThat(verify.out()).contains("The repository verifies.");
    }

    @Test
    void restoreAndVerifyWaitForNoPruneAndLeaveNoLockBehind() throws Exception {
        lb("backup", "dir", "--source", source.toString(), "--name", "helm-values");
        Path target = tmp.resolve("restored");
        // A prune holds the exclusive lock: a restore must not read packs it may be deleting, nor a verify report them.
        try (var held = dev.lifeboat.repository.lock.RepositoryLock.exclusive(new dev.lifeboat.repository.store.FilesystemObjectStore(repo),
                java.time.Clock.systemUTC(), "prune elsewhere")) {
            Cli.Result restore = lb("restore", "dir", "--snapshot", "latest", "--to", target.toString());
            assertThat(restore.status()).as(restore.err()).isEqualTo(78);
            assertThat(restore.err()).contains("locked by prune elsewhere");
            assertThat(target).doesNotExist();
            assertThat(lb("verify", "--quick").status()).isEqualTo(78);
        }
        Cli.Result restore = lb("restore", "dir", "--snapshot", "latest", "--to", target.toString());
        assertThat(restore.status()).as(restore.err()).isZero();
        try (Stream<Path> s = Files.list(repo.resolve("locks"))) {
            assertThat(s).as("the restore released its shared lock").isEmpty();
        }
    }

    @Test
    void aCacheRecoveryRefusesAnotherResourcesBackup() throws Exception {
        String id = lb("backup", "dir", "--source", source.toString(), "--name", "helm-values", "--json").json().get("snapshot").asText();
        Cli.Result r = lb("recover", "--mode", "cache", "--instance", "cache", "--backup-id", id.substring(0, 8), "--to", "127.0.0.1:6379", "--dry-run");
        assertThat(r.status()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("is a directory backup of 'helm-values', not a Redis backup of 'cache'");
    }

    @Test
    void optionsACommandWouldIgnoreAreRefused() throws Exception {
        String id = lb("backup", "dir", "--source", source.toString(), "--name", "helm-values", "--json").json().get("snapshot").asText();
        // An id with a name is a claim about which snapshot is meant.
        Cli.Result other = lb("restore", "dir", "--snapshot", id.substring(0, 8), "--name", "grafana", "--to", tmp.resolve("other").toString());
        assertThat(other.status()).as(other.err()).isEqualTo(79);
        assertThat(other.err()).contains("is of 'helm-values', not 'grafana'");
        assertThat(tmp.resolve("other")).doesNotExist();
        Cli.Result same = lb("restore", "dir", "--snapshot", id.substring(0, 8), "--name", "helm-values", "--to", tmp.resolve("same").toString());
        assertThat(same.status()).as(same.err()).isZero();

        Cli.Result port = lb("recover", "--mode", "cache", "--instance", "cache", "--port", "6380", "--to", "127.0.0.1:6379", "--dry-run");
        assertThat(port.status()).as(port.err()).isEqualTo(2);
        assertThat(port.err()).contains("--port starts Redis on a --data-dir");
        // Commands that act on servers only take no repository option.
        Cli.Result health = lb("health", "--instance", "cache");
        assertThat(health.status()).isEqualTo(2);
        assertThat(health.err()).contains("Unknown options: '--repo'");
        Cli.Result failover = Cli.run("failover", "redis", "--instance", "cache", "--host", "127.0.0.1", "--dry-run");
        assertThat(failover.status()).isEqualTo(2);
        assertThat(failover.err()).contains("--host/--port are not used here");
    }

    @Test
    void deltaRestoreDryRunNamesWhatItWouldRemoveThenBringsTheCopyBack() throws Exception {
        lb("backup", "dir", "--source", source.toString(), "--name", "helm-values");
        Path target = tmp.resolve("restored");
        assertThat(lb("restore", "dir", "--snapshot", "latest", "--to", target.toString()).status()).isZero();
        Files.writeString(target.resolve("values.yaml"), "replicaCount: 99\n");
        Files.writeString(target.resolve("local-override.yaml"), "debug: true\n");

        Cli.Result refused = lb("restore", "dir", "--snapshot", "latest", "--to", target.toString());
        assertThat(refused.status()).isEqualTo(2);
        assertThat(refused.err()).contains("is not empty");
        Cli.Result dry = lb("restore", "dir", "--snapshot", "latest", "--to", target.toString(), "--delta", "--dry-run");
        assertThat(dry.status()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("Delta restore would bring", "would remove local-override.yaml");
        assertThat(target.resolve("local-override.yaml")).as("a dry run changes nothing").exists();

        Cli.Result real = lb("restore", "dir", "--snapshot", "latest", "--to", target.toString(), "--delta", "--json");
        assertThat(real.status()).as(real.err()).isZero();
        assertThat(real.json().get("removed").asInt()).isEqualTo(1);
        assertThat(real.json().get("fetchedBytes").asLong()).isEqualTo(Files.size(source.resolve("values.yaml")));
        assertThat(target.resolve("local-override.yaml")).doesNotExist();
        assertThat(Files.readString(target.resolve("values.yaml"))).isEqualTo(Files.readString(source.resolve("values.yaml")));
        assertThat(lb("restore", "dir", "--snapshot", "latest", "--to", tmp.resolve("new").toString(), "--dry-run").status())
                .as("--dry-run without --delta").isEqualTo(2);
    }

    @Test
    void damagedPackFailsDeepVerifyWithItsNameAndSnapshot() throws Exception {
        String id = lb("backup", "dir", "--source", source.toString(), "--name", "helm-values", "--json").json().get("snapshot").asText();
        Path pack;
        try (Stream<Path> walk = Files.walk(repo.resolve("data"))) {
            pack = walk.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        byte[] b = Files.readAllBytes(pack);
        b[10] ^= 1;
        Files.write(pack, b);
        Cli.Result verify = lb("repo", "verify", "--deep", "--json");
        assertThat(verify.status()).isEqualTo(80);
        JsonNode problem = verify.json().get("problems").get(0);
        assertThat(problem.get("object").asText()).isEqualTo(repo.relativize(pack).toString());
        assertThat(problem.get("snapshots").get(0).asText()).isEqualTo(id.substring(0, 8));
        Cli.Result restore = lb("restore", "dir", "--snapshot", "latest", "--to", tmp.resolve("r").toString());
        assertThat(restore.status()).isEqualTo(74);
        assertThat(restore.err()).contains("object-corrupt", "is damaged");
    }

    @Test
    void pruneDryRunShowsWhatPruneThenDeletes() throws Exception {
        lb("backup", "dir", "--source", source.toString(), "--name", "helm-values");
        Files.writeString(source.resolve("values.yaml"), "replicaCount: 5\n");
        lb("backup", "dir", "--source", source.toString(), "--name", "helm-values");
        // A writer killed between writing an object and renaming it left this; nothing lists it.
        Path killed = Files.write(repo.resolve("snapshots/.tmp-killed-writer"), new byte[4096]);
        Files.setLastModifiedTime(killed, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(7200)));
        JsonNode dry = lb("repo", "prune", "--keep-last", "1", "--dry-run", "--json").json();
        assertThat(dry.get("leftovers").get("count").asInt()).isEqualTo(1);
        assertThat(killed).exists();
        JsonNode real = lb("repo", "prune", "--keep-last", "1", "--json").json();
        assertThat(dry.get("delete")).isNotEmpty();
        assertThat(real.get("deleted")).isEqualTo(dry.get("delete"));
        assertThat(killed).doesNotExist();
        assertThat(lb("snapshots", "list", "--json").json()).hasSize(1);
        assertThat(lb("repo", "verify", "--deep").status()).isZero();
    }

    @Test
    void rotateKeyKeepsOldSnapshotsReadableAndRetiresTheOldPassphrase() throws Exception {
        String before = lb("backup", "dir", "--source", source.toString(), "--name", "h", "--json").json().get("snapshot").asText();
        Path next = Files.writeString(tmp.resolve("next"), "the next passphrase");
        Cli.Result both = lb("repo", "rotate-key", "--new-passphrase-file", next.toString(), "--new-key-file", next.toString());
        assertThat(both.status()).as("two new credentials, one silently dropped before").isEqualTo(2);
        Cli.Result empty = lb("repo", "rotate-key", "--new-passphrase-file", Files.writeString(tmp.resolve("empty"), "\n").toString());
        assertThat(empty.status()).as("an empty passphrase was exit 1, a bug").isEqualTo(2);
        assertThat(empty.err()).contains("the new credential is unusable");
        Cli.Result rotate = lb("repo", "rotate-key", "--new-passphrase-file", next.toString());
        assertThat(rotate.status()).as(rotate.err()).isZero();
        assertThat(rotate.out()).contains("2 data key(s)");
        Cli.Result old = lb("snapshots", "list");
        assertThat(old.status()).isEqualTo(72);
        assertThat(old.err()).contains("wrong-key");
        pass = next;
        assertThat(lb("backup", "dir", "--source", source.toString(), "--name", "h").status()).isZero();
        assertThat(lb("restore", "dir", "--snapshot", before.substring(0, 8), "--to", tmp.resolve("old").toString()).status()).isZero();
        assertThat(lb("restore", "dir", "--snapshot", "latest", "--to", tmp.resolve("new").toString()).status()).isZero();
    }

    @Test
    void syncBringsARegionLevelPrunesWhatTheSourceDeletedAndWaitsForAPrune() throws Exception {
        Path east = tmp.resolve("east");
        Path west = tmp.resolve("west");
        String[] regions = {"--repo", "east=" + east, "--repo", "west=" + west, "--passphrase-file", pass.toString()};
        assertThat(Cli.run(concat(new String[] {"repo", "init"}, regions)).status()).isZero();
        Cli.Result backup = Cli.run(concat(new String[] {"backup", "dir", "--source", source.toString(), "--name", "helm-values"}, regions));
        assertThat(backup.status()).as(backup.err()).isZero();
        // west lost a pack (a copy that never arrived) and holds one prune deleted from east while it was away.
        Path pack;
        try (Stream<Path> s = Files.walk(west.resolve("data"))) {
            pack = s.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        Files.delete(pack);
        Path stray = west.resolve("data/00/" + "0".repeat(64));
        Files.createDirectories(stray.getParent());
        Files.writeString(stray, "deleted by prune while west was away");

        Cli.Result preview = Cli.run(concat(new String[] {"repo", "sync", "--prune", "--dry-run"}, regions));
        assertThat(preview.status()).as(preview.err()).isZero();
        assertThat(preview.out()).contains("east -> west: would copy 1 object(s)", "would delete 1 object(s)", "delete data/00/" + "0".repeat(64),
                "Dry run: nothing changed.");
        assertThat(pack).doesNotExist();
        assertThat(stray).as("a dry run deletes nothing").exists();

        Cli.Result sync = Cli.run(concat(new String[] {"repo", "sync", "--json"}, regions));
        assertThat(sync.status()).as(sync.err()).isZero();
        assertThat(sync.json().get(0).get("copied").asInt()).isEqualTo(1);
        assertThat(sync.json().get(0).get("deleted").asInt()).isZero();
        assertThat(pack).exists();
        assertThat(stray).exists();

        Cli.Result prune = Cli.run(concat(new String[] {"repo", "sync", "--prune"}, regions));
        assertThat(prune.status()).as(prune.err()).isZero();
        assertThat(prune.out()).contains("east -> west: copied 0 object(s)", "deleted 1");
        assertThat(stray).doesNotExist();
        assertThat(Cli.run("repo", "verify", "--deep", "--repo", west.toString(), "--passphrase-file", pass.toString()).status()).isZero();

        // While another process holds the exclusive lock (a prune), a sync neither copies nor deletes.
        try (var store = new dev.lifeboat.repository.store.FilesystemObjectStore(east);
             var held = dev.lifeboat.repository.lock.RepositoryLock.exclusive(store, java.time.Clock.systemUTC(), "prune elsewhere")) {
            Cli.Result locked = Cli.run(concat(new String[] {"repo", "sync"}, regions));
            assertThat(locked.status()).isEqualTo(78);
            assertThat(locked.err()).contains("locked by prune elsewhere");
        }
        try (Stream<Path> s = Files.list(east.resolve("locks"))) {
            assertThat(s).as("the syncs left no lock behind").isEmpty();
        }

        // unlock --all removes live locks: --dry-run names them first and removes nothing.
        try (var store = new dev.lifeboat.repository.store.FilesystemObjectStore(east);
             var held = dev.lifeboat.repository.lock.RepositoryLock.shared(store, java.time.Clock.systemUTC(), "a live backup")) {
            Cli.Result dry = Cli.run("repo", "unlock", "--all", "--dry-run", "--repo", east.toString(), "--passphrase-file", pass.toString());
            assertThat(dry.status()).as(dry.err()).isZero();
            assertThat(dry.out()).contains("would remove locks/", "(a live backup", "1 lock(s) would be removed (dry run: nothing changed)");
            try (Stream<Path> s = Files.list(east.resolve("locks"))) {
                assertThat(s).hasSize(1);
            }
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void clearErrorsForMissingKeyExistingRepoAndNoRepo() {
        Cli.Result noKey = Cli.run("snapshots", "list", "--repo", repo.toString());
        assertThat(noKey.status()).isEqualTo(73);
        assertThat(noKey.err()).contains("key-required", "LIFEBOAT_PASSPHRASE");
        assertThat(lb("repo", "init").status()).isEqualTo(71);
        Cli.Result none = Cli.run("snapshots", "list", "--repo", tmp.resolve("nowhere").toString(), "--passphrase-file", pass.toString());
        assertThat(none.status()).isEqualTo(70);
        assertThat(none.err()).contains("repo init");
        Cli.Result both = Cli.run("snapshots", "list", "--repo", repo.toString(), "--passphrase-file", pass.toString(), "--key-file", pass.toString());
        assertThat(both.status()).as("two credentials, one silently ignored before").isEqualTo(2);
        assertThat(both.err()).contains("--key-file and --passphrase-file exclude each other");
        Cli.Result ignored = lb("backup", "redis", "--data-dir", tmp.toString());
        assertThat(ignored.status()).as("--data-dir without --aof was silently ignored").isEqualTo(2);
        assertThat(ignored.err()).contains("--data-dir goes with --aof");
        Cli.Result azure = Cli.run("snapshots", "list", "--repo", "azure://account", "--passphrase-file", pass.toString());
        assertThat(azure.status()).isEqualTo(2);
        assertThat(azure.err()).contains("no account or container", "azure://ACCOUNT/CONTAINER/PREFIX");
    }
}
