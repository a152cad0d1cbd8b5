package dev.lifeboat.postgres.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryCopyTest {
    @TempDir
    Path data;

    private boolean skipped(String rel) throws Exception {
        Path f = data.resolve(rel);
        Files.createDirectories(f.getParent());
        if (!Files.exists(f)) {
            Files.createFile(f);
        }
        return DataDirectoryCopy.resetAtRecovery(rel, f);
    }

    @Test
    void unloggedRelationsKeepOnlyTheirInitForkAndTemporaryRelationsAreLeftOut() throws Exception {
        Files.createDirectories(data.resolve("base/5"));
        Files.createFile(data.resolve("base/5/16384_init"));
        assertThat(skipped("base/5/16384")).isTrue();
        assertThat(skipped("base/5/16384.1")).isTrue();
        assertThat(skipped("base/5/16384_fsm")).isTrue();
        assertThat(skipped("base/5/16384_vm")).isTrue();
        assertThat(skipped("base/5/16384_init")).as("the init fork is what recovery copies").isFalse();
        assertThat(skipped("base/5/16390")).as("a logged relation").isFalse();
        assertThat(skipped("base/5/163840")).as("another relation whose number starts the same").isFalse();
        assertThat(skipped("base/5/t3_16400")).isTrue();
        assertThat(skipped("base/5/t3_16400_fsm")).isTrue();
        assertThat(skipped("base/5/PG_VERSION")).isFalse();
        assertThat(skipped("global/1262")).isFalse();
        Files.createDirectories(data.resolve("pg_tblspc/16385/PG_15_202209061/5"));
        Files.createFile(data.resolve("pg_tblspc/16385/PG_15_202209061/5/17000_init"));
        assertThat(skipped("pg_tblspc/16385/PG_15_202209061/5/17000")).as("in a tablespace too").isTrue();
    }

    /** A fixed chunker that records what it reads, in order, and can delete a file once it has begun reading it. */
    private static final class Recording implements dev.lifeboat.repository.chunk.Chunker {
        final java.util.List<String> read = new java.util.ArrayList<>();
        final dev.lifeboat.repository.chunk.Chunker inner = new dev.lifeboat.repository.chunk.FixedChunker(8192);
        Path deleteWhenRead;

        @Override
        public void split(java.io.InputStream in, Sink sink) throws java.io.IOException {
            inner.split(in, (b, off, len) -> {
                String text = new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8);
                read.add(text);
                if (deleteWhenRead != null && text.equals(deleteWhenRead.getFileName().toString())) {
                    Files.delete(deleteWhenRead); // dropped while being read, as DROP TABLE does
                }
                sink.chunk(b, off, len);
            });
        }

        @Override
        public String describe() {
            return inner.describe();
        }

        @Override
        public int maxSize() {
            return inner.maxSize();
        }
    }

    @Test
    void pgControlIsReadLastAndARelationDroppedWhileReadIsLeftOut() throws Exception {
        // Each file holds its own name, so the chunker sees which file it reads.
        for (String rel : java.util.List.of("global/1262", "global/pg_control", "base/5/16384", "base/5/16390", "PG_VERSION", "zz_last_by_name")) {
            Files.createDirectories(data.resolve(rel).getParent());
            Files.writeString(data.resolve(rel), data.resolve(rel).getFileName().toString());
        }
        dev.lifeboat.repository.Repository repo = dev.lifeboat.repository.Repository.init(
                new dev.lifeboat.repository.store.FilesystemObjectStore(Files.createTempDirectory("ddc-repo")), java.util.Optional.empty(),
                dev.lifeboat.repository.RepositoryOptions.defaults().withEncryption(false).withKdf(dev.lifeboat.repository.crypto.KdfParams.argon2idForTests()));
        Recording chunker = new Recording();
        chunker.deleteWhenRead = data.resolve("base/5/16384");
        dev.lifeboat.repository.BlobSink sink = repo.newSink();
        try (dev.lifeboat.repository.files.TreeWriter tree = new dev.lifeboat.repository.files.TreeWriter(sink, repo.fileChunker(), 1,
                dev.lifeboat.repository.files.Progress.NONE, 0)) {
            // Completes although base/5/16384 vanished while it was read (it failed the whole backup before).
            new DataDirectoryCopy(data, "PG_15_202209061", tree, chunker, java.util.Optional.empty()).run();
            assertThat(chunker.read).as("every file read, the dropped one too (it was open)").hasSize(6);
            assertThat(chunker.read.get(chunker.read.size() - 1)).as("pg_control after everything else").isEqualTo("pg_control");
            sink.finish();
        }
    }
}
