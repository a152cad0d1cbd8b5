package dev.lifeboat.store.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lifeboat.repository.RepoFixture;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.check.RepositoryVerifier;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.files.DirectoryBackup;
import dev.lifeboat.repository.files.DirectoryRestore;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.files.TreeFixture;
import dev.lifeboat.repository.store.ObjectStore;
import dev.lifeboat.repository.store.ObjectStoreContract;
import dev.lifeboat.repository.store.StoreException;
import dev.lifeboat.testkit.AzuriteServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract against Azurite, plus block uploads and a whole repository on Azure. */
class AzureObjectStoreIT extends ObjectStoreContract {
    static AzuriteServer azurite;
    private int n;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        azurite = AzuriteServer.start();
    }

    @AfterAll
    static void stop() {
        azurite.close();
    }

    static AzureConfig config(String container) {
        return AzureConfig.of(azurite.endpoint(), AzuriteServer.ACCOUNT, AzuriteServer.KEY, container);
    }

    @Override
    protected ObjectStore store() {
        return new AzureObjectStore(config("contract").withPrefix("t" + n++ + "-" + System.nanoTime()));
    }

    @Test
    void largeObjectsGoUpInBlocksAndComeBackWhole() {
        AzureObjectStore s = new AzureObjectStore(config("blocks"));
        byte[] data = new byte[40 * 1024 * 1024 + 3];
        new Random(5).nextBytes(data);
        s.put("data/ab/large", data);
        assertThat(s.get("data/ab/large")).isEqualTo(data);
        assertThat(s.get("data/ab/large", 20 * 1024 * 1024, 100)).isEqualTo(java.util.Arrays.copyOfRange(data, 20 * 1024 * 1024, 20 * 1024 * 1024 + 100));
    }

    @Test
    void aContainerThatDoesNotExistIsNoEmptyRepository() {
        AzureObjectStore typo = new AzureObjectStore(config("no-such-container"));
        assertThat(typo.stat("config")).as("repo init asks this before creating the container").isEmpty();
        assertThatThrownBy(() -> typo.list("snapshots/")).isInstanceOfSatisfying(StoreException.class, e -> {
            assertThat(e.kind()).isEqualTo(StoreException.Kind.PERMANENT);
            assertThat(e.getMessage()).contains("ContainerNotFound");
        });
    }

    @Test
    void wrongKeyIsPermanent() {
        AzureObjectStore bad = new AzureObjectStore(AzureConfig.of(azurite.endpoint(), AzuriteServer.ACCOUNT,
                java.util.Base64.getEncoder().encodeToString(new byte[64]), "contract"));
        assertThatThrownBy(() -> bad.put("x", new byte[] {1})).isInstanceOfSatisfying(StoreException.class,
                e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.PERMANENT));
    }

    @Test
    void aWholeRepositoryBacksUpVerifiesAndRestoresOnAzure() {
        AzureObjectStore store = new AzureObjectStore(config("lifeboat").withPrefix("repo"));
        Repository repo = Repository.init(store, RepoFixture.SECRET, RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
        Path source = TreeFixture.create(dir.resolve("src"), 3, 500_000, 8);
        Snapshot s = new DirectoryBackup(repo, Clock.systemUTC(), 2).run(source, "config", List.of(), Progress.NONE);
        Repository reopened = Repository.open(store, RepoFixture.SECRET);
        assertThat(new RepositoryVerifier(reopened).run(true, Progress.NONE).problems()).isEmpty();
        new DirectoryRestore(reopened).run(s, dir.resolve("r"), Progress.NONE);
        assertThat(TreeFixture.describe(dir.resolve("r"))).isEqualTo(TreeFixture.describe(source));
    }
}
