package dev.lifeboat.repository;

import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.files.DirectoryBackup;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** A small encrypted repository on the filesystem with helpers to back up and damage it. */
public final class RepoFixture {
    public static final Optional<Credentials> SECRET = Optional.of(new Credentials.Passphrase("correct horse".toCharArray()));
    public final FilesystemObjectStore store;
    public Repository repo;

    public RepoFixture(Path dir) {
        this.store = new FilesystemObjectStore(dir);
        this.repo = Repository.init(store, SECRET, RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests())
                .withPackSize(512 * 1024));
    }

    public Snapshot backup(Path source, String name) {
        return new DirectoryBackup(repo, Clock.systemUTC(), 2).run(source, name, List.of(), Progress.NONE);
    }

    public Snapshot backup(Path source, String name, Clock clock) {
        return new DirectoryBackup(repo, clock, 2).run(source, name, List.of(), Progress.NONE);
    }

    public Repository reopen() {
        repo = Repository.open(store, SECRET);
        return repo;
    }

    /** Flips one byte of a stored object at {@code fraction} of its length. */
    public void flip(String object, double fraction) {
        try {
            Path p = store.root().resolve(object);
            byte[] b = Files.readAllBytes(p);
            b[(int) (b.length * fraction)] ^= 0x40;
            Files.write(p, b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
