package dev.lifeboat.postgres.tablespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.files.DirectoryBackup;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backups from before tablespaces' contents were stored: refused when they hold tablespace links; a linked pg_wal is made a directory. */
class OlderLayoutTest {
    @TempDir
    Path dir;

    @Test
    void anOlderBackupWithTablespaceLinksIsRefusedANewerOneIsNotRead() throws Exception {
        Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")), Optional.of(new Credentials.Passphrase("p".toCharArray())),
                RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
        Path data = Files.createDirectories(dir.resolve("data/pg_tblspc"));
        Files.createSymbolicLink(data.resolve("16385"), Path.of("/srv/ts1"));
        Snapshot older = new DirectoryBackup(repo, Clock.systemUTC(), 1).run(dir.resolve("data"), "db", List.of(), Progress.NONE);
        LifeboatException e = catchThrowableOfType(LifeboatException.class, () -> OlderLayout.check(repo, older));
        assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_FORMAT);
        assertThat(e.getMessage()).contains("holds only the links of its tablespaces (pg_tblspc/16385 -> /srv/ts1)");

        var labelled = new java.util.HashMap<>(older.manifest().labels());
        labelled.put(OlderLayout.LABEL, "2");
        var m = older.manifest();
        Snapshot newer = new Snapshot(older.id(), new dev.lifeboat.repository.SnapshotManifest(m.format(), m.time(), m.ended(), m.host(), m.kind(),
                m.name(), m.source(), m.tags(), m.chunker(), List.of("0".repeat(64)), m.stats(), Map.copyOf(labelled)));
        OlderLayout.check(repo, newer); // the label says so: its (here unreadable) listing is not read
    }

    @Test
    void aRestoredLinkedPgWalBecomesADirectoryOfItsOwn() throws Exception {
        Path data = Files.createDirectories(dir.resolve("copy"));
        Path original = Files.createDirectories(dir.resolve("original-wal"));
        Files.writeString(original.resolve("000000010000000000000001"), "the original's");
        Files.createSymbolicLink(data.resolve("pg_wal"), original);
        OlderLayout.repair(data);
        assertThat(Files.isSymbolicLink(data.resolve("pg_wal"))).isFalse();
        assertThat(data.resolve("pg_wal")).isEmptyDirectory();
        assertThat(original.resolve("000000010000000000000001")).exists();
    }
}
