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
}
