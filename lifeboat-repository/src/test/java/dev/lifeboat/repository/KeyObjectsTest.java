package dev.lifeboat.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import dev.lifeboat.repository.store.ObjectInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What opening says when the key objects are the problem: an object someone else wrote with absurd parameters is
 * skipped, not derived (it would exhaust memory); a damaged keyring is damage, not a wrong passphrase; no key at all
 * is a missing object.
 */
class KeyObjectsTest {
    @TempDir
    Path dir;

    private static final RepositoryOptions FAST = RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests());

    @Test
    void aNewerKeyObjectWithAbsurdParametersIsSkippedAndTheRealOneOpens() throws Exception {
        FilesystemObjectStore store = new FilesystemObjectStore(dir.resolve("r"));
        Repository.init(store, RepoFixture.SECRET, FAST);
        String real = new String(store.get(store.list(Layout.KEYS).get(0).name()), StandardCharsets.UTF_8);
        // 2^31 KiB of Argon2id memory: deriving it would end the JVM with OutOfMemoryError before the real key is tried.
        Thread.sleep(20); // newer than the real one, so it is tried first
        store.put(Layout.KEYS + "ffffffffffffffff", real.replaceFirst("\"memoryKiB\"\\s*:\\s*\\d+", "\"memoryKiB\":2147483647")
                .getBytes(StandardCharsets.UTF_8));
        store.put(Layout.KEYS + "eeeeeeeeeeeeeeee", real.replaceFirst("\"algorithm\"\\s*:\\s*\"argon2id\"", "\"algorithm\":\"kms\"")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(Repository.open(store, RepoFixture.SECRET).config().encrypted()).isTrue();

        LifeboatException wrong = catchThrowableOfType(LifeboatException.class, () -> Repository.open(store,
                Optional.of(new dev.lifeboat.repository.crypto.Credentials.Passphrase("wrong".toCharArray()))));
        assertThat(wrong.code()).isEqualTo(ErrorCode.WRONG_KEY);
        assertThat(wrong.getMessage()).contains("any of the 1 key(s)", "2 key object(s) skipped as unusable", "out of bounds", "'kms' is unknown");
    }

    @Test
    void aKeyThatOpensButWhoseKeyringIsGoneIsDamageNotAWrongPassphrase() {
        FilesystemObjectStore store = new FilesystemObjectStore(dir.resolve("r"));
        Repository.init(store, RepoFixture.SECRET, FAST);
        for (ObjectInfo k : store.list(Layout.KEYRING)) {
            store.delete(k.name());
        }
        LifeboatException e = catchThrowableOfType(LifeboatException.class, () -> Repository.open(store, RepoFixture.SECRET));
        assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT);
        assertThat(e.getMessage()).contains("but its keyring");
        assertThat(e.hint()).contains("The passphrase is right");
    }

    @Test
    void noKeyObjectAtAllIsAMissingObject() {
        FilesystemObjectStore store = new FilesystemObjectStore(dir.resolve("r"));
        Repository.init(store, RepoFixture.SECRET, FAST);
        for (ObjectInfo k : store.list(Layout.KEYS)) {
            store.delete(k.name());
        }
        LifeboatException e = catchThrowableOfType(LifeboatException.class, () -> Repository.open(store, RepoFixture.SECRET));
        assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_MISSING);
        assertThat(e.getMessage()).contains("holds no key object");
    }
}
