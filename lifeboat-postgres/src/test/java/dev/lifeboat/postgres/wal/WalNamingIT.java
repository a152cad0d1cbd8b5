package dev.lifeboat.postgres.wal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import dev.lifeboat.testkit.Wait;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Lifeboat's WAL naming and timeline parsing agree with a real PostgreSQL server. */
class WalNamingIT {
    @Test
    void namesAndTimelineHistoryMatchARealServerAcrossAPromotion() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().replicas(1).start()) {
            PostgresServer primary = pg.primary();
            long segmentSize = Long.parseLong(primary.queryOne("SELECT setting::bigint * 1 FROM pg_settings WHERE name = 'wal_segment_size'"));
            primary.execute("CREATE TABLE t (id int)", "INSERT INTO t SELECT generate_series(1, 10000)", "SELECT pg_switch_wal()");
            for (String lsnText : new String[] {primary.queryOne("SELECT pg_current_wal_lsn()"), "0/3000060", "16/B374D848", "1/FFFFFFFF"}) {
                String expected = primary.queryOne("SELECT pg_walfile_name('" + lsnText + "')");
                assertThat(WalSegment.lastNeededUpTo(1, Lsn.parse(lsnText), segmentSize).fileName()).as(lsnText).isEqualTo(expected);
                long offset = Long.parseLong(primary.queryOne("SELECT file_offset FROM pg_walfile_name_offset('" + lsnText + "')"));
                assertThat(Lsn.parse(lsnText).segmentOffset(segmentSize)).isEqualTo(offset);
            }

            PostgresServer replica = pg.replica(0);
            pg.awaitReplay(replica);
            Lsn before = Lsn.parse(replica.queryOne("SELECT pg_last_wal_replay_lsn()"));
            replica.execute("SELECT pg_promote(true, 60)");
            Wait.until(Duration.ofSeconds(30), "promotion", () -> !replica.isInRecovery());
            // A fast promotion writes no checkpoint; take one so pg_control shows the new timeline.
            replica.execute("CHECKPOINT");
            int timeline = Integer.parseInt(replica.queryOne("SELECT timeline_id FROM pg_control_checkpoint()"));
            assertThat(timeline).isEqualTo(2);
            String history = Files.readString(replica.dataDirectory().resolve("pg_wal").resolve(TimelineHistory.fileName(2)));
            TimelineHistory h = TimelineHistory.parse(2, history);
            assertThat(h.switches()).hasSize(1);
            assertThat(h.switches().get(0).parent()).isEqualTo(1);
            assertThat(h.switches().get(0).at()).isGreaterThanOrEqualTo(before);
            // Timeline 2 begins at the switch point; the byte before it is the last of timeline 1.
            Lsn at = h.switches().get(0).at();
            assertThat(h.timelineAt(at.plus(-1))).isEqualTo(1);
            assertThat(h.timelineAt(at)).isEqualTo(2);
            // The segment holding the switch point exists on the new timeline in the promoted server's pg_wal.
            WalSegment switchSegment = WalSegment.of(1, h.switches().get(0).at(), segmentSize).onTimeline(2);
            assertThat(replica.dataDirectory().resolve("pg_wal").resolve(switchSegment.fileName())).exists();
        }
    }
}
