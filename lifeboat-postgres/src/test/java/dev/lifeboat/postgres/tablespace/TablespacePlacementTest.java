package dev.lifeboat.postgres.tablespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TablespacePlacementTest {
    @TempDir
    Path tmp;

    final Tablespace ts1 = new Tablespace("16385", "ts1", "/srv/ts1");
    final Tablespace ts2 = new Tablespace("16386", "archive", "/srv/archive");
    final Tablespace local = new Tablespace("16387", "local", "");

    @Test
    void byDefaultEachGoesBesideTheDataDirectoryAndAnInPlaceOneStays() {
        Path data = tmp.resolve("data");
        TablespacePlacement p = TablespacePlacement.defaults(List.of(ts1, local), data);
        assertThat(p.subtrees()).containsExactlyEntriesOf(java.util.Map.of("pg_tblspc/16385", tmp.resolve("data.tablespaces/16385")));
        assertThat(p.describe(data)).containsExactly(
                "ts1 (16385, was /srv/ts1) -> " + tmp.resolve("data.tablespaces/16385") + " (linked from pg_tblspc/16385; --tablespace-map ts1=DIR puts it elsewhere)",
                "local (16387, in place) -> in place at " + data.resolve("pg_tblspc/16387") + ", as in the original (allow_in_place_tablespaces = on)");
    }

    @Test
    void mappingsNameATablespaceByNameOrOid() {
        TablespacePlacement p = TablespacePlacement.of(List.of(ts1, ts2), List.of("ts1=/mnt/a", "16386=/mnt/b/../c"), tmp.resolve("data"));
        assertThat(p.subtrees()).containsEntry("pg_tblspc/16385", Path.of("/mnt/a")).containsEntry("pg_tblspc/16386", Path.of("/mnt/c"));
    }

    @Test
    void badMappingsAreRefusedBeforeAnythingIsWritten() throws Exception {
        Path data = tmp.resolve("data");
        assertThat(catchThrowableOfType(LifeboatException.class, () -> TablespacePlacement.of(List.of(ts1), List.of("ts1"), data)).getMessage())
                .contains("'ts1' is not NAME=DIR");
        LifeboatException unknown = catchThrowableOfType(LifeboatException.class, () -> TablespacePlacement.of(List.of(ts1), List.of("ts9=/x"), data));
        assertThat(unknown.code()).isEqualTo(ErrorCode.USAGE);
        assertThat(unknown.getMessage()).contains("no tablespace 'ts9'");
        assertThat(unknown.hint()).contains("ts1 (16385, was /srv/ts1)");
        assertThat(catchThrowableOfType(LifeboatException.class, () -> TablespacePlacement.of(List.of(ts1), List.of("ts1=relative/dir"), data))
                .getMessage()).contains("is not absolute");
        Path busy = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(busy.resolve("PG_15_202209061"), "somebody's");
        LifeboatException full = catchThrowableOfType(LifeboatException.class, () -> TablespacePlacement.of(List.of(ts1), List.of("ts1=" + busy), data));
        assertThat(full.code()).isEqualTo(ErrorCode.TARGET_NOT_EMPTY);
        Files.createDirectories(tmp.resolve("data.tablespaces/16385/PG_15_202209061"));
        assertThat(catchThrowableOfType(LifeboatException.class, () -> TablespacePlacement.defaults(List.of(ts1), data)).code())
                .as("the default place is checked too").isEqualTo(ErrorCode.TARGET_NOT_EMPTY);
    }

    @Test
    void placesThatOverlapAreRefused() {
        Path data = tmp.resolve("data");
        assertThat(catchThrowableOfType(LifeboatException.class, () -> TablespacePlacement.of(List.of(ts1, ts2), List.of("ts1=/mnt/a", "archive=/mnt/a/b"),
                data)).getMessage()).contains("would share /mnt/a");
        assertThat(catchThrowableOfType(LifeboatException.class, () -> TablespacePlacement.of(List.of(ts1), List.of("ts1=" + data.resolve("pg_tblspc/x")),
                data)).getMessage()).contains("overlaps the data directory");
        assertThat(catchThrowableOfType(LifeboatException.class, () -> TablespacePlacement.of(List.of(ts1), List.of("ts1=" + tmp.resolve("data.wal")),
                data)).getMessage()).contains("overlaps the data directory");
    }

    @Test
    void aBackupThatNamesATablespaceByAPathIsDamaged() {
        var m = new dev.lifeboat.repository.SnapshotManifest(dev.lifeboat.repository.SnapshotManifest.FORMAT, "t", "t", "h", "postgres", "db", "/d",
                List.of(), "c", List.of(), new dev.lifeboat.repository.SnapshotManifest.Stats(0, 0, 0, 0, 0, 0, 0, 0),
                java.util.Map.of("tablespace.../../etc.name", "evil", "tablespace.16385.name", "ts1", "tablespace.16385.location", "/srv/ts1"));
        var s = new dev.lifeboat.repository.Snapshot("0123456789abcdef", m);
        assertThat(catchThrowableOfType(LifeboatException.class, () -> Tablespace.of(s)).code()).isEqualTo(ErrorCode.OBJECT_CORRUPT);
    }
}
