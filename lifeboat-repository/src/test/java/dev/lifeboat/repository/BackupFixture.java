package dev.lifeboat.repository;

import dev.lifeboat.repository.files.DirectoryBackup;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.lock.RepositoryLock;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** A JVM that backs up a directory again and again until it is killed (see CrashIT). */
public final class BackupFixture {
    private BackupFixture() {
    }

    public static void main(String[] args) {
        FilesystemObjectStore store = new FilesystemObjectStore(Path.of(args[0]));
        Repository repo = Repository.open(store, RepoFixture.SECRET);
        System.out.println("ready");
        System.out.flush();
        while (true) {
            try (RepositoryLock lock = RepositoryLock.shared(store, Clock.systemUTC(), "crash fixture")) {
                new DirectoryBackup(repo, Clock.systemUTC(), 2).run(Path.of(args[1]), "crash", List.of(), Progress.NONE);
            }
            repo.reloadIndex();
        }
    }
}
