package dev.lifeboat.postgres.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalSegment;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Whether a replay to the latest point reached the end of the WAL staged for it. */
class ReplayReachTest {
    static final long SIZE = WalSegment.DEFAULT_SIZE;
    static final List<String> STAGED = List.of("000000010000000000000003", "000000010000000000000004", "000000010000000000000005",
            "000000010000000000000006");

    static PostgresRecovery.ReplayReach reach(String replayEnd, boolean lastPartial) {
        return new PostgresRecovery.ReplayReach(Optional.of(Lsn.parse(replayEnd)), Lsn.parse(lastPartial ? "0/6000200" : "0/7000000"), SIZE, STAGED,
                lastPartial);
    }

    @Test
    void replayIntoTheLastStagedSegmentIsTheEndOfTheWal() {
        assertThat(reach("0/6A00000", false).shortfall()).isEmpty();
        // A switch record ends the last whole segment early; the rest of it is padding.
        assertThat(reach("0/6000100", false).shortfall()).isEmpty();
    }

    @Test
    void aRecordCrossingIntoTheLastPartialSegmentMayBeIncomplete() {
        assertThat(reach("0/5FFFF80", true).shortfall()).isEmpty();
        // Ending exactly at a segment boundary belongs to the segment before.
        assertThat(reach("0/6000000", true).shortfall()).isEmpty();
    }

    @Test
    void replayStoppingInAMiddleSegmentIsDamageThere() {
        Optional<String> f = reach("0/4100000", false).shortfall();
        assertThat(f).hasValueSatisfying(s -> assertThat(s).startsWith("replay stopped at 0/4100000, 2 segment(s) before the end of the staged WAL (0/7000000)")
                .contains("a stored segment is damaged there"));
        assertThat(reach("0/5000000", true).shortfall()).as("the boundary into 5 belongs to 4: two before the partial 6").isPresent();
    }

    @Test
    void nothingStagedOrNoReplayIsNotJudged() {
        assertThat(new PostgresRecovery.ReplayReach(Optional.empty(), Lsn.parse("0/7000000"), SIZE, STAGED, false).shortfall()).isEmpty();
        assertThat(new PostgresRecovery.ReplayReach(Optional.of(Lsn.parse("0/3000100")), Lsn.parse("0/3000100"), SIZE, List.of(), false).shortfall())
                .isEmpty();
    }
}
