package dev.lifeboat.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.files.DirectoryRestore;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.files.TreeFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotateKeyTest {
    @TempDir
    Path dir;

    @Test
    void afterRotationOldAndNewSnapshotsRestoreAndOnlyTheNewPassphraseOpens() throws Exception {
        RepoFixture fx = new RepoFixture(dir.resolve("repo"));
        Path src = TreeFixture.create(dir.resolve("src"), 3, 100_000, 1);
        Snapshot before = fx.backup(src, "x");
        Optional<Credentials> fresh = Optional.of(new Credentials.Passphrase("a brand new passphrase".toCharArray()));

        Repository agent = Repository.open(fx.store, RepoFixture.SECRET); // a long-running process, opened before
        assertThat(agent.keysRotatedSinceOpen()).isFalse();
        Repository rotated = fx.repo.rotateKey(fresh.get(), Optional.of(KdfParams.argon2idForTests()));
        assertThat(agent.keysRotatedSinceOpen()).as("it still holds the retired data key, and can tell").isTrue();
        assertThat(rotated.keysRotatedSinceOpen()).isFalse();
        assertThat(rotated.keySummary()).startsWith("2 data key(s), current #2");
        assertThat(catchThrowableOfType(LifeboatException.class, () -> Repository.open(fx.store, RepoFixture.SECRET)).code())
                .isEqualTo(ErrorCode.WRONG_KEY);

        Files.writeString(src.resolve("etc/after-rotation.txt"), "written with data key 2\n");
        fx.repo = Repository.open(fx.store, fresh);
        Snapshot after = fx.backup(src, "x");

        Repository reopened = Repository.open(fx.store, fresh);
        new DirectoryRestore(reopened).run(before, dir.resolve("old"), Progress.NONE);
        new DirectoryRestore(reopened).run(after, dir.resolve("new"), Progress.NONE);
        assertThat(TreeFixture.describe(dir.resolve("new"))).isEqualTo(TreeFixture.describe(src));
        assertThat(Files.exists(dir.resolve("old/etc/after-rotation.txt"))).isFalse();
        assertThat(fx.store.list("keys/")).hasSize(1);
        assertThat(fx.store.list("keyring/")).hasSize(1);
    }

    @Test
    void aRotationFromAStaleOpenIsRefusedAndLosesNoKey() throws Exception {
        // A opened the repository and waited; B rotated meanwhile, and a backup wrote with B's new data key.
        RepoFixture fx = new RepoFixture(dir.resolve("repo"));
        Path src = TreeFixture.create(dir.resolve("src"), 2, 100_000, 2);
        Repository a = Repository.open(fx.store, RepoFixture.SECRET);
        Repository b = fx.repo.rotateKey(RepoFixture.SECRET.get(), Optional.of(KdfParams.argon2idForTests()));
        fx.repo = b;
        Snapshot written = fx.backup(src, "x");

        LifeboatException e = catchThrowableOfType(LifeboatException.class,
                () -> a.rotateKey(RepoFixture.SECRET.get(), Optional.of(KdfParams.argon2idForTests())));
        assertThat(e.code()).isEqualTo(ErrorCode.REPOSITORY_LOCKED);
        assertThat(e.getMessage()).contains("rotated by another process");
        new DirectoryRestore(Repository.open(fx.store, RepoFixture.SECRET)).run(written, dir.resolve("out"), Progress.NONE);
        assertThat(TreeFixture.describe(dir.resolve("out"))).isEqualTo(TreeFixture.describe(src));
    }
}
