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
}
