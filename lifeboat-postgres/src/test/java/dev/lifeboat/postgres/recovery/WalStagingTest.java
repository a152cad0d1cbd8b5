package dev.lifeboat.postgres.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.postgres.wal.WalChain;
import dev.lifeboat.postgres.wal.WalPageHeader;
import dev.lifeboat.postgres.wal.WalSegment;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Segments staged side by side land whole and in WAL order; a missing one fails the staging with its own error. */
class WalStagingTest {
    private static final long SIZE = 1L << 20; // 1 MiB segments keep the test small
    private static final long SYSTEM = 7_300_000_000_000_000_001L;

    @TempDir
    Path dir;

    @Test
    void stagesEverySegmentWholeAndThePartialPadded() throws Exception {
        WalArchive archive = archive();
        List<byte[]> stored = new ArrayList<>();
        List<WalChain.Link> links = new ArrayList<>();
        for (long n = 3; n < 13; n++) {
            WalSegment seg = new WalSegment(1, n, SIZE);
            byte[] data = segment(seg, n);
            archive.putSegment(seg, data);
            stored.add(data);
            links.add(new WalChain.Link(seg, true));
        }
        WalSegment tail = new WalSegment(1, 13, SIZE);
        byte[] partial = Arrays.copyOf(segment(tail, 13), 5000);
        archive.putPartial(tail, partial, partial.length);
        links.add(new WalChain.Link(tail, false));
        Path walDir = Files.createDirectories(dir.resolve("wal"));

        WalStaging.Staged staged = WalStaging.stage(archive, links, walDir, new WalSegment(1, 3, SIZE).start(), SIZE);

        assertThat(staged.segments()).containsExactlyElementsOf(links.stream().map(l -> l.segment().fileName()).toList());
        for (int i = 0; i < stored.size(); i++) {
            assertThat(Files.readAllBytes(walDir.resolve(links.get(i).segment().fileName()))).isEqualTo(stored.get(i));
        }
        byte[] padded = Files.readAllBytes(walDir.resolve(tail.fileName()));
        assertThat(padded).hasSize((int) SIZE);
        assertThat(Arrays.copyOf(padded, partial.length)).isEqualTo(partial);
        assertThat(staged.lastPartial()).isTrue();
        assertThat(staged.end()).isEqualTo(tail.start().plus(partial.length));
    }

    @Test
    void aMissingSegmentFailsTheStagingByName() {
        WalArchive archive = archive();
        List<WalChain.Link> links = new ArrayList<>();
        for (long n = 1; n < 6; n++) {
            WalSegment seg = new WalSegment(1, n, SIZE);
            if (n != 4) {
                archive.putSegment(seg, segment(seg, n));
            }
            links.add(new WalChain.Link(seg, true));
        }
        assertThatThrownBy(() -> WalStaging.stage(archive, links, Files.createDirectories(dir.resolve("wal")), Lsn.parse("0/100000"), SIZE))
                .isInstanceOfSatisfying(LifeboatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_MISSING))
                .hasMessageContaining(new WalSegment(1, 4, SIZE).toString());
    }

    @Test
    void bigSegmentsAreStagedFewAtATime() {
        assertThat(WalStaging.threads(16L << 20)).isEqualTo(WalStaging.MAX_THREADS);
        assertThat(WalStaging.threads(64L << 20)).isEqualTo(4);
        assertThat(WalStaging.threads(1L << 30)).isEqualTo(1);
    }

    private WalArchive archive() {
        Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")), Optional.of(new Credentials.Passphrase("w".toCharArray())),
                RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
        return new WalArchive(repo, "app-db");
    }

    private static byte[] segment(WalSegment seg, long seed) {
        byte[] data = new byte[(int) SIZE];
        new Random(seed).nextBytes(data);
        WalPageHeader.write(seg, SYSTEM, data);
        return data;
    }
}
