package dev.lifeboat.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.pack.BlobType;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import dev.lifeboat.repository.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryTest {
    static final Optional<Credentials> SECRET = Optional.of(new Credentials.Passphrase("correct horse".toCharArray()));
    static final RepositoryOptions FAST = RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests());

    @TempDir
    Path dir;

    @Test
    void initThenOpenWithThePassphraseReadsWhatWasWritten() {
        ObjectStore store = new FilesystemObjectStore(dir);
        Repository repo = Repository.init(store, SECRET, FAST);
        BlobSink sink = repo.newSink();
        var id = sink.add(BlobType.DATA, "hello".getBytes(StandardCharsets.UTF_8));
        sink.finish();
        Repository again = Repository.open(store, SECRET);
        assertThat(again.config().id()).isEqualTo(repo.config().id());
        assertThat(new String(again.readBlob(id), StandardCharsets.UTF_8)).isEqualTo("hello");
    }

    @Test
    void wrongPassphraseIsAClearError() {
        ObjectStore store = new FilesystemObjectStore(dir);
        Repository.init(store, SECRET, FAST);
        LifeboatException e = catchThrowableOfType(LifeboatException.class,
                () -> Repository.open(store, Optional.of(new Credentials.Passphrase("wrong".toCharArray()))));
        assertThat(e.code()).isEqualTo(ErrorCode.WRONG_KEY);
        assertThat(e.getMessage()).contains("passphrase does not open any of the 1 key(s)");
        assertThat(e.exitStatus()).isEqualTo(72);
        assertThat(catchThrowableOfType(LifeboatException.class, () -> Repository.open(store, Optional.empty())).code())
                .isEqualTo(ErrorCode.KEY_REQUIRED);
    }

    @Test
    void initTwiceAndOpeningNothingAreClearErrors() {
        ObjectStore store = new FilesystemObjectStore(dir.resolve("r"));
        Repository.init(store, SECRET, FAST);
        assertThat(catchThrowableOfType(LifeboatException.class, () -> Repository.init(store, SECRET, FAST)).code())
                .isEqualTo(ErrorCode.REPOSITORY_EXISTS);
        assertThat(catchThrowableOfType(LifeboatException.class,
                () -> Repository.open(new FilesystemObjectStore(dir.resolve("none")), SECRET)).code()).isEqualTo(ErrorCode.REPOSITORY_NOT_FOUND);
    }

    @Test
    void keyFileOpensItsRepository() {
        Optional<Credentials> keyFile = Optional.of(new Credentials.KeyFile(new byte[64]));
        ObjectStore store = new FilesystemObjectStore(dir);
        Repository.init(store, keyFile, RepositoryOptions.defaults());
        assertThat(Repository.open(store, keyFile).config().encrypted()).isTrue();
        assertThat(catchThrowableOfType(LifeboatException.class, () -> Repository.open(store, SECRET)).code()).isEqualTo(ErrorCode.WRONG_KEY);
    }

    @Test
    void unencryptedRepositoryNeedsNoKeyButStillDetectsDamage() {
        ObjectStore store = new FilesystemObjectStore(dir);
        Repository repo = Repository.init(store, Optional.empty(), FAST.withEncryption(false));
        BlobSink sink = repo.newSink();
        var id = sink.add(BlobType.DATA, "plain".getBytes(StandardCharsets.UTF_8));
        sink.finish();
        assertThat(Repository.open(store, Optional.empty()).readBlob(id)).isEqualTo("plain".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void sameContentIsStoredOnce() {
        Repository repo = Repository.init(new FilesystemObjectStore(dir), SECRET, FAST);
        BlobSink sink = repo.newSink();
        byte[] data = "same".repeat(100).getBytes(StandardCharsets.UTF_8);
        var a = sink.add(BlobType.DATA, data);
        var b = sink.add(BlobType.DATA, data);
        BlobSink.Stats s = sink.finish();
        assertThat(a).isEqualTo(b);
        assertThat(s.newChunks()).isEqualTo(1);
        BlobSink second = repo.newSink();
        second.add(BlobType.DATA, data);
        assertThat(second.finish().newChunks()).isZero();
    }
}
