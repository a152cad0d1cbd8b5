package dev.lifeboat.repository.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemObjectStoreTest extends ObjectStoreContract {
    @TempDir
    Path dir;
    private int n;

    @Override
    protected ObjectStore store() {
        return new FilesystemObjectStore(dir.resolve("store-" + n++));
    }

    @Test
    void leftoverTempFilesOfACrashedWriterAreNotListed() throws Exception {
        FilesystemObjectStore s = new FilesystemObjectStore(dir.resolve("crash"));
        s.put("data/ab/real", new byte[] {1});
        Files.write(dir.resolve("crash/data/ab/.tmp-half-written"), new byte[] {1, 2});
        assertThat(s.list("data/")).extracting(ObjectInfo::name).containsExactly("data/ab/real");
    }

    @Test
    void listingWhileAnotherWriterRenamesAndDeletesNeverFails() throws Exception {
        // CI once failed here: a writer's temporary file was renamed into place between the listing reading the
        // directory and reading the file's attributes.
        FilesystemObjectStore s = new FilesystemObjectStore(dir.resolve("busy"));
        s.put("data/00/anchor", new byte[] {1});
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread writer = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                String name = "data/%02x/o%d".formatted(i % 4, i);
                s.put(name, new byte[] {2});
                s.delete(name);
            }
        });
        writer.start();
        try {
            for (int i = 0; i < 3_000; i++) {
                assertThat(s.list("data/")).extracting(ObjectInfo::name).contains("data/00/anchor");
            }
        } finally {
            stop.set(true);
            writer.join();
        }
    }
}
