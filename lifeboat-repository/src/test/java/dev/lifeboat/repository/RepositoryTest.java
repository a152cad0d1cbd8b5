package dev.lifeboat.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.index.BlobIndex;
import dev.lifeboat.repository.pack.BlobType;
import dev.lifeboat.repository.pack.PackedBlob;
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
    void anUnencryptedConfigIsRefusedToACallerThatBringsAKey() {
        // Whoever can write to the store could put an unencrypted config there so later backups go out in plaintext.
        ObjectStore store = new FilesystemObjectStore(dir.resolve("plain"));
        Repository.init(store, Optional.empty(), RepositoryOptions.defaults().withEncryption(false).withKdf(KdfParams.argon2idForTests()));
        assertThat(Repository.open(store, Optional.empty()).keySummary()).isEqualTo("not encrypted");
        LifeboatException e = catchThrowableOfType(LifeboatException.class,
                () -> Repository.open(store, Optional.of(new Credentials.Passphrase("expects encryption".toCharArray()))));
        assertThat(e.code()).isEqualTo(ErrorCode.WRONG_KEY);
        assertThat(e.getMessage()).contains("says it is not encrypted").doesNotContain("expects encryption");
    }

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
    void aNewSinkStartsFromTheStoresIndexNotAStaleCopy() {
        ObjectStore store = new FilesystemObjectStore(dir);
        Repository agent = Repository.init(store, SECRET, FAST);
        BlobSink first = agent.newSink();
        var one = first.add(BlobType.DATA, "one".getBytes(StandardCharsets.UTF_8));
        first.finish();
        assertThat(agent.index().contains(one)).isTrue();

        // Another process backs up, then rewrites the index as prune does, leaving "one" out (its pack deleted).
        Repository other = Repository.open(store, SECRET);
        BlobSink second = other.newSink();
        var two = second.add(BlobType.DATA, "two".getBytes(StandardCharsets.UTF_8));
        second.finish();
        agent.newSink();
        assertThat(agent.index().contains(two)).as("an index object written since is added").isTrue();

        java.util.Set<String> old = other.index().indexObjects();
        String fresh = other.writeIndex(other.index().all().stream().filter(b -> b.id().equals(two)).toList());
        old.stream().filter(n -> !n.equals(fresh)).toList().forEach(store::delete);
        agent.newSink();
        assertThat(agent.index().contains(one)).as("a pruned blob is no longer offered for deduplication").isFalse();
        assertThat(agent.index().contains(two)).isTrue();
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

    @Test
    void aBlobReadUnderAnotherIdIsRefusedWithAndWithoutEncryption() {
        for (boolean encrypted : new boolean[] {true, false}) {
            ObjectStore store = new FilesystemObjectStore(dir.resolve("swap-" + encrypted));
            Repository repo = Repository.init(store, encrypted ? SECRET : Optional.empty(), FAST.withEncryption(encrypted));
            BlobSink sink = repo.newSink();
            var a = sink.add(BlobType.DATA, "first blob".getBytes(StandardCharsets.UTF_8));
            var b = sink.add(BlobType.DATA, "other blob".getBytes(StandardCharsets.UTF_8));
            sink.finish();
            Repository open = Repository.open(store, encrypted ? SECRET : Optional.empty());
            PackedBlob whereB = open.index().find(b).orElseThrow();
            // An index that says a's bytes are where b's are (a swapped or replayed entry): the read must fail,
            // through AES-GCM's additional data when encrypted and through the keyed hash when not.
            BlobIndex lying = new BlobIndex();
            lying.add(new PackedBlob(a, whereB.type(), whereB.pack(), whereB.offset(), whereB.length(), whereB.plainLength()));
            LifeboatException e = catchThrowableOfType(LifeboatException.class, () -> open.readBlob(a, lying));
            assertThat(e.code()).as("encrypted=" + encrypted).isEqualTo(ErrorCode.OBJECT_CORRUPT);
            assertThat(e.getMessage()).contains(encrypted ? "fails authentication" : "does not match its id");
            assertThat(open.readBlob(b)).isEqualTo("other blob".getBytes(StandardCharsets.UTF_8));
        }
    }
}
