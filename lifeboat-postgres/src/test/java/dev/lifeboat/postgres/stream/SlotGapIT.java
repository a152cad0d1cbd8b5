package dev.lifeboat.postgres.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slot another repository advanced (two plans protecting one server under one cluster name) lies past this
 * repository's WAL: the agent says so when it resumes from it, instead of streaming on over the gap in silence.
 */
class SlotGapIT {
    @TempDir
    Path dir;

    private WalArchive archive(String name) {
        Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve(name)), Optional.of(new Credentials.Passphrase("gap".toCharArray())),
                RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
        return new WalArchive(repo, "app-db");
    }

    @Test
    void aSlotPastTheRepositorysWalIsReportedAsAGap() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("gap").start()) {
            PostgresServer primary = pg.primary();
            WalArchive mine = archive("mine");
            WalArchive other = archive("other");
            primary.execute("CREATE TABLE rows (id int)");
            TimelineFollowIT.Streaming first = TimelineFollowIT.Streaming.start(primary, mine);
            first.awaitDurable(primary);
            first.stop();
            assertThat(first.events()).noneSatisfy(e -> assertThat(e).contains("recovery cannot pass"));

            TimelineFollowIT.Streaming elsewhere = TimelineFollowIT.Streaming.start(primary, other);
            for (int i = 0; i < 3; i++) {
                primary.execute("INSERT INTO rows SELECT generate_series(1, 1000)");
                primary.queryOne("SELECT pg_switch_wal()");
            }
            elsewhere.awaitDurable(primary);
            elsewhere.stop();

            TimelineFollowIT.Streaming again = TimelineFollowIT.Streaming.start(primary, mine);
            again.awaitDurable(primary);
            again.stop();
            assertThat(again.events()).anySatisfy(e -> assertThat(e).contains("slot lifeboat_app_db is at", "the repository's WAL of this cluster ends at",
                    "recovery cannot pass that gap"));
        }
    }
}
