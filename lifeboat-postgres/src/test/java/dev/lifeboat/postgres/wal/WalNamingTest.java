package dev.lifeboat.postgres.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class WalNamingTest {
    static final long SIXTEEN = WalSegment.DEFAULT_SIZE;

    @Test
    void lsnParsesPrintsAndOrdersAsUnsigned() {
        Lsn a = Lsn.parse("16/B374D848");
        assertThat(a.value()).isEqualTo(0x16B374D848L);
        assertThat(a.toString()).isEqualTo("16/B374D848");
        assertThat(Lsn.parse("0/0")).isEqualTo(Lsn.ZERO);
        assertThat(Lsn.parse("FFFFFFFF/FFFFFFFF").isAfter(Lsn.parse("7FFFFFFF/FFFFFFFF"))).isTrue();
        assertThat(Lsn.parse("0/3000060").minus(Lsn.parse("0/3000000"))).isEqualTo(0x60);
        assertThatThrownBy(() -> Lsn.parse("3000060")).hasMessageContaining("X/Y");
        assertThatThrownBy(() -> Lsn.parse("1/G")).hasMessageContaining("not an LSN");
        assertThatThrownBy(() -> Lsn.parse("100000000/0")).hasMessageContaining("out of range");
    }

    @Test
    void segmentNamesMatchPostgres() {
        // pg_walfile_name('0/3000060') on timeline 1 with 16 MiB segments is 000000010000000000000003.
        WalSegment s = WalSegment.of(1, Lsn.parse("0/3000060"), SIXTEEN);
        assertThat(s.fileName()).isEqualTo("000000010000000000000003");
        // pg_walfile_name('16/B374D848') is 0000000100000016000000B3.
        assertThat(WalSegment.of(1, Lsn.parse("16/B374D848"), SIXTEEN).fileName()).isEqualTo("0000000100000016000000B3");
        assertThat(WalSegment.of(2, Lsn.parse("1/FF000000"), SIXTEEN).next().fileName()).isEqualTo("000000020000000200000000");
        // At a boundary: the segment holding the position, and the last one needed before it (pg_walfile_name).
        assertThat(WalSegment.of(1, Lsn.parse("0/4000000"), SIXTEEN).fileName()).isEqualTo("000000010000000000000004");
        assertThat(WalSegment.lastNeededUpTo(1, Lsn.parse("0/4000000"), SIXTEEN).fileName()).isEqualTo("000000010000000000000003");
        assertThat(WalSegment.lastNeededUpTo(1, Lsn.parse("0/4000001"), SIXTEEN).fileName()).isEqualTo("000000010000000000000004");
        assertThat(s.start()).isEqualTo(Lsn.parse("0/3000000"));
        assertThat(s.end()).isEqualTo(Lsn.parse("0/4000000"));
        assertThat(s.contains(Lsn.parse("0/3FFFFFF"))).isTrue();
        assertThat(s.contains(Lsn.parse("0/4000000"))).isFalse();
    }

    @Test
    void segmentNamesRoundTripAndOtherSizes() {
        assertThat(WalSegment.parse("0000000100000016000000B3", SIXTEEN).orElseThrow().start()).isEqualTo(Lsn.parse("16/B3000000"));
        assertThat(WalSegment.parse("000000030000000A0000001F.partial", SIXTEEN).orElseThrow().timeline()).isEqualTo(3);
        assertThat(WalSegment.parse("00000002.history", SIXTEEN)).isEmpty();
        assertThat(WalSegment.parse("000000010000000000000100", SIXTEEN)).as("only 256 segments per log at 16 MiB").isEmpty();
        // 64 MiB segments: 64 per 4 GiB log.
        long sixtyFour = 64L * 1024 * 1024;
        WalSegment big = WalSegment.of(1, Lsn.parse("1/8000000"), sixtyFour);
        assertThat(big.fileName()).isEqualTo("000000010000000100000002");
        assertThat(WalSegment.parse(big.fileName(), sixtyFour)).contains(big);
        assertThatThrownBy(() -> new WalSegment(1, 0, 3_000_000)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> new WalSegment(0, 0, SIXTEEN)).hasMessageContaining("timelines start at 1");
    }

    @Test
    void historyParsesAsPostgresWritesIt() {
        String content = "1\t0/3000000\tno recovery target specified\n\n2\t0/5000A28\tbefore 2026-11-23 10:00:00+00\n";
        TimelineHistory h = TimelineHistory.parse(3, content);
        assertThat(h.switches()).hasSize(2);
        assertThat(h.switches().get(1).at()).isEqualTo(Lsn.parse("0/5000A28"));
        assertThat(h.render()).isEqualTo(content.replace("\n\n", "\n"));
        assertThat(TimelineHistory.fileName(3)).isEqualTo("00000003.history");
        assertThat(h.timelineAt(Lsn.parse("0/2FFFFFF"))).isEqualTo(1);
        assertThat(h.timelineAt(Lsn.parse("0/3000000"))).isEqualTo(2);
        assertThat(h.timelineAt(Lsn.parse("0/6000000"))).isEqualTo(3);
        assertThatThrownBy(() -> TimelineHistory.parse(3, "2\t0/5000000\tx\n1\t0/3000000\ty\n")).hasMessageContaining("out of order");
        assertThatThrownBy(() -> TimelineHistory.parse(2, "3\t0/5000000\tx\n")).hasMessageContaining("not older");
    }

    @Test
    void replayReadsAncestorSegmentsUpToEachSwitchPoint() {
        TimelineHistory h = TimelineHistory.parse(3, "1\t0/3000000\ta\n2\t0/5000A28\tb\n");
        List<String> names = h.segments(Lsn.parse("0/1000000"), Lsn.parse("0/6000010"), SIXTEEN).stream().map(WalSegment::fileName).toList();
        assertThat(names).containsExactly(
                "000000010000000000000001", "000000010000000000000002", // timeline 1 up to its switch at 0/3000000
                "000000020000000000000003", "000000020000000000000004", // timeline 2 from the segment starting there
                "000000030000000000000005", // the segment holding 0/5000A28 is read from the new timeline
                "000000030000000000000006");
        assertThat(TimelineHistory.first().segments(Lsn.parse("0/1000000"), Lsn.parse("0/1000001"), SIXTEEN))
                .extracting(WalSegment::fileName).containsExactly("000000010000000000000001");
    }
}
