package dev.lifeboat.postgres.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.postgres.stream.WalProtection.Assessment;
import dev.lifeboat.postgres.stream.WalProtection.Mode;
import dev.lifeboat.postgres.wal.Lsn;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WalProtectionTest {
    static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    static final Optional<Duration> FIVE_MINUTES = Optional.of(Duration.ofMinutes(5));
    static final Lsn AT = Lsn.parse("0/5000000");

    static ServerView.Slot slot(Lsn restart, String walStatus) {
        return new ServerView.Slot("lifeboat_app_db", true, Optional.of(restart), Math.max(0, AT.minus(restart)), Optional.of(walStatus),
                Optional.of(1L << 30));
    }

    static ServerView streaming(long behind, Optional<Double> flushLag, ServerView.Slot slot) {
        return streaming(behind, flushLag, Optional.of(0.4), slot);
    }

    static ServerView streaming(long behind, Optional<Double> flushLag, Optional<Double> lastReply, ServerView.Slot slot) {
        return new ServerView(AT, false, Optional.of(slot), Optional.of(new ServerView.Sender("streaming", "async", new Lsn(AT.value() - behind), behind,
                flushLag, lastReply)), Optional.empty(), "-1");
    }

    static Assessment assess(Mode mode, ServerView v, Optional<Instant> stored) {
        return WalProtection.assess(mode, Optional.of(v), Optional.empty(), stored, FIVE_MINUTES, NOW);
    }

    @Test
    void fromAStandbyTheStandbysOwnLagAddsUpAndAStandbyThatReceivesNothingIsAProblem() {
        ServerView v = streaming(8192, Optional.of(0.8), Optional.of(0.3), slot(AT, "reserved"));
        Upstream feeding = new Upstream("replica-1", true, Optional.of(0.1), Optional.of(30.0), true, Optional.of(16384L), Optional.of(2.5),
                Optional.empty(), false);
        Assessment a = WalProtection.assess(Mode.STREAMING, Optional.of(v), Optional.empty(), Optional.empty(), FIVE_MINUTES, NOW, Optional.of(feeding));
        assertThat(a.rpoLag()).hasValue(Duration.ofMillis(3600));
        assertThat(a.basis()).contains("the replica's own flush_lag");
        assertThat(a.ok()).isTrue();
        assertThat(a.notes()).anyMatch(n -> n.contains("streaming from replica replica-1, which receives from the primary, 16384 bytes behind"));

        Upstream cut = new Upstream("replica-1", false, Optional.of(420.0), Optional.of(500.0), true, Optional.of(64L << 20), Optional.empty(),
                Optional.empty(), false);
        Assessment b = WalProtection.assess(Mode.STREAMING, Optional.of(v), Optional.empty(), Optional.empty(), FIVE_MINUTES, NOW, Optional.of(cut));
        assertThat(b.rpoLag()).hasValue(Duration.ofSeconds(420));
        assertThat(b.problems()).anyMatch(p -> p.contains("replica-1, which the agent streams from, is not receiving WAL from the primary, 64 MiB behind"))
                .anyMatch(p -> p.contains("more than the RPO target 5m"));

        // The primary went away and took the standby's WAL receiver with it: no message time, so the last replayed
        // commit bounds how old the missing WAL is (the primary cannot say how far behind the standby is).
        Upstream gone = new Upstream("replica-1", false, Optional.empty(), Optional.of(400.0), true, Optional.empty(), Optional.empty(),
                Optional.of("connection refused"), false);
        Assessment c = WalProtection.assess(Mode.STREAMING, Optional.of(v), Optional.empty(), Optional.empty(), FIVE_MINUTES, NOW, Optional.of(gone));
        assertThat(c.rpoLag()).hasValue(Duration.ofSeconds(400));
        assertThat(c.basis()).contains("the last commit it replayed");
        assertThat(c.notes()).anyMatch(n -> n.contains("the primary cannot be asked"));

        // Not receiving but caught up (an idle primary that went away): nothing is missing, so nothing is added.
        Upstream idle = new Upstream("replica-1", false, Optional.empty(), Optional.of(4000.0), false, Optional.of(0L), Optional.empty(),
                Optional.empty(), false);
        Assessment d = WalProtection.assess(Mode.STREAMING, Optional.of(v), Optional.empty(), Optional.empty(), FIVE_MINUTES, NOW, Optional.of(idle));
        assertThat(d.rpoLag()).hasValue(Duration.ofMillis(1100));
        assertThat(d.notes()).anyMatch(n -> n.contains("uses no slot on the primary"));
    }

    /** Without pg_read_all_stats the standby shows its WAL receiver's pid only: unknown, said as such, not "not receiving". */
    @Test
    void aStandbyThatHidesItsReceiverIsSaidToHideIt() {
        ServerView v = streaming(8192, Optional.of(0.8), Optional.of(0.3), slot(AT, "reserved"));
        Upstream caughtUp = new Upstream("replica-1", false, Optional.empty(), Optional.of(4000.0), true, Optional.of(0L), Optional.empty(),
                Optional.empty(), true);
        Assessment a = WalProtection.assess(Mode.STREAMING, Optional.of(v), Optional.empty(), Optional.empty(), FIVE_MINUTES, NOW, Optional.of(caughtUp));
        assertThat(a.problems()).noneMatch(p -> p.contains("replica-1"));
        assertThat(a.notes()).anySatisfy(n -> assertThat(n).contains("hides its WAL receiver's state", "pg_read_all_stats", "has all of the primary's WAL"));
        assertThat(a.rpoLag()).hasValue(Duration.ofMillis(1100));

        // Under load a streaming standby trails by a little: within a segment that is no problem either.
        Upstream busy = new Upstream("replica-1", false, Optional.empty(), Optional.of(0.2), true, Optional.of(1L << 20), Optional.empty(),
                Optional.empty(), true);
        Assessment c = WalProtection.assess(Mode.STREAMING, Optional.of(v), Optional.empty(), Optional.empty(), FIVE_MINUTES, NOW, Optional.of(busy));
        assertThat(c.problems()).noneMatch(p -> p.contains("replica-1"));
        assertThat(c.notes()).anySatisfy(n -> assertThat(n).contains("is within a segment of the primary", "1 MiB behind"));

        Upstream behind = new Upstream("replica-1", false, Optional.empty(), Optional.of(40.0), true, Optional.of(64L << 20), Optional.empty(),
                Optional.empty(), true);
        Assessment b = WalProtection.assess(Mode.STREAMING, Optional.of(v), Optional.empty(), Optional.empty(), FIVE_MINUTES, NOW, Optional.of(behind));
        assertThat(b.problems()).anySatisfy(p -> assertThat(p).contains("hides whether it receives WAL", "GRANT it", "64 MiB behind"))
                .noneMatch(p -> p.contains("is not receiving"));
        assertThat(b.rpoLag()).as("what it may lack still counts, from its last replayed commit").hasValue(Duration.ofSeconds(40));
    }

    @Test
    void theAgentsOwnLagCombinesWithTheStandbysAsStatusDoes() {
        Duration own = Duration.ofMillis(1100);
        Upstream feeding = new Upstream("replica-1", true, Optional.of(0.1), Optional.of(30.0), true, Optional.of(16384L), Optional.of(2.5),
                Optional.empty(), false);
        assertThat(feeding.rpoLag(own)).isEqualTo(Duration.ofMillis(3600));
        Upstream caughtUp = new Upstream("replica-1", true, Optional.of(0.1), Optional.of(30.0), true, Optional.of(0L), Optional.of(2.5),
                Optional.empty(), false);
        assertThat(caughtUp.rpoLag(own)).as("lacks nothing: its flush_lag is history").isEqualTo(own);
        Upstream cut = new Upstream("replica-1", false, Optional.of(420.0), Optional.of(500.0), true, Optional.of(64L << 20), Optional.empty(),
                Optional.empty(), false);
        assertThat(cut.rpoLag(own)).isEqualTo(Duration.ofSeconds(420));
        assertThat(cut.rpoLag(Duration.ofSeconds(600))).as("the larger of the two").isEqualTo(Duration.ofSeconds(600));
        Upstream gone = new Upstream("replica-1", false, Optional.empty(), Optional.of(400.0), true, Optional.empty(), Optional.empty(),
                Optional.of("connection refused"), false);
        assertThat(gone.rpoLag(Duration.ZERO)).isEqualTo(Duration.ofSeconds(400));
    }

    @Test
    void caughtUpMeansNoLagWhateverTheNewestObjectsAge() {
        Assessment a = assess(Mode.STREAMING, streaming(0, Optional.empty(), slot(AT, "reserved")), Optional.of(NOW.minusSeconds(3600)));
        assertThat(a.rpoLag()).hasValue(Duration.ZERO);
        assertThat(a.ok()).isTrue();
        assertThat(a.notes()).anyMatch(n -> n.contains("slot lifeboat_app_db active, holding 0 bytes"));
    }

    @Test
    void behindTheLagIsFlushLagPlusTheTimeSinceTheAgentsLastReport() {
        // A quiet cluster just written to: the newest stored WAL is old, but the agent reported a moment ago.
        Assessment fresh = assess(Mode.STREAMING, streaming(8192, Optional.of(0.8), Optional.of(0.3), slot(AT, "reserved")),
                Optional.of(NOW.minusSeconds(600)));
        assertThat(fresh.rpoLag()).hasValue(Duration.ofMillis(1100));
        assertThat(fresh.ok()).isTrue();
        // A stuck agent: the server's flush_lag keeps its last value, the time since its last report grows.
        Assessment stuck = assess(Mode.STREAMING, streaming(8192, Optional.of(0.8), Optional.of(399.2), slot(AT, "reserved")),
                Optional.of(NOW.minusSeconds(400)));
        assertThat(stuck.rpoLag()).hasValue(Duration.ofSeconds(400));
        assertThat(stuck.problems()).singleElement().asString().contains("lags 6m40s", "more than the RPO target 5m");
    }

    @Test
    void beforePostgres12TheNewestObjectsAgeStandsInForTheLastReport() {
        Assessment a = assess(Mode.STREAMING, streaming(8192, Optional.of(0.8), Optional.empty(), slot(AT, "reserved")),
                Optional.of(NOW.minusSeconds(400)));
        assertThat(a.rpoLag()).hasValue(Duration.ofSeconds(400));
        assertThat(a.basis()).contains("age of the newest WAL in the repository");
    }

    @Test
    void noAgentIsAProblemAndUnconsumedWalGrowthIsNamed() {
        ServerView v = new ServerView(AT, false, Optional.of(new ServerView.Slot("lifeboat_app_db", false, Optional.of(Lsn.parse("0/3000000")),
                AT.minus(Lsn.parse("0/3000000")), Optional.of("reserved"), Optional.empty())), Optional.empty(), Optional.empty(), "-1");
        Assessment a = assess(Mode.STREAMING, v, Optional.of(NOW.minusSeconds(20)));
        assertThat(a.rpoLag()).hasValue(Duration.ofSeconds(20));
        assertThat(a.problems()).anyMatch(p -> p.contains("the agent is not streaming"))
                .anyMatch(p -> p.contains("pg_wal grows with nothing consuming it") && p.contains("32 MiB"));
    }

    @Test
    void lostAndUnreservedSlotsAreProblems() {
        assertThat(assess(Mode.STREAMING, streaming(0, Optional.empty(), slot(AT, "lost")), Optional.empty()).problems())
                .singleElement().asString().contains("has lost WAL");
        assertThat(assess(Mode.STREAMING, streaming(0, Optional.empty(), slot(Lsn.parse("0/1000000"), "unreserved")), Optional.empty()).problems())
                .singleElement().asString().contains("64 MiB", "will remove WAL the repository does not have");
        ServerView noSlot = new ServerView(AT, false, Optional.empty(), Optional.of(new ServerView.Sender("streaming", "async", AT, 0, Optional.empty(), Optional.of(0.5))),
                Optional.empty(), "-1");
        assertThat(assess(Mode.STREAMING, noSlot, Optional.empty()).problems()).singleElement().asString().contains("no replication slot");
    }

    @Test
    void archivingLagIsTheLastArchivedSegmentsAgeAndFailuresAreNamed() {
        ServerView ok = new ServerView(AT, false, Optional.empty(), Optional.empty(), Optional.of(new ServerView.Archiver(
                Optional.of("000000010000000000000004"), Optional.of(NOW.minusSeconds(30)), Optional.empty(), Optional.empty(), 0)), "-1");
        Assessment a = assess(Mode.ARCHIVING, ok, Optional.empty());
        assertThat(a.rpoLag()).hasValue(Duration.ofSeconds(30));
        assertThat(a.ok()).isTrue();
        ServerView failing = new ServerView(AT, false, Optional.empty(), Optional.empty(), Optional.of(new ServerView.Archiver(
                Optional.of("000000010000000000000004"), Optional.of(NOW.minusSeconds(30)), Optional.of("000000010000000000000005"),
                Optional.of(NOW.minusSeconds(5)), 3)), "-1");
        assertThat(assess(Mode.ARCHIVING, failing, Optional.empty()).problems()).singleElement().asString()
                .contains("archive_command is failing", "000000010000000000000005", "3 failures");
        // Idle for two hours after its last switch, everything archived: not a lagging recovery point.
        ServerView idle = new ServerView(AT, false, Optional.empty(), Optional.empty(), Optional.of(new ServerView.Archiver(
                Optional.of("000000010000000000000004"), Optional.of(NOW.minusSeconds(7200)), Optional.empty(), Optional.empty(), 0, true)), "-1");
        Assessment quiet = assess(Mode.ARCHIVING, idle, Optional.empty());
        assertThat(quiet.rpoLag()).hasValue(Duration.ZERO);
        assertThat(quiet.ok()).isTrue();
        ServerView behind = new ServerView(AT, false, Optional.empty(), Optional.empty(), Optional.of(new ServerView.Archiver(
                Optional.of("000000010000000000000004"), Optional.of(NOW.minusSeconds(7200)), Optional.empty(), Optional.empty(), 0, false)), "-1");
        assertThat(assess(Mode.ARCHIVING, behind, Optional.empty()).ok()).as("WAL written since, not archived for 2 h").isFalse();
        ServerView off = new ServerView(AT, false, Optional.empty(), Optional.empty(), Optional.empty(), "-1");
        assertThat(assess(Mode.ARCHIVING, off, Optional.empty()).problems()).singleElement().asString().contains("archive_mode is off");
    }

    @Test
    void anUnreachableServerFallsBackToTheRepository() {
        Assessment a = WalProtection.assess(Mode.STREAMING, Optional.empty(), Optional.of("Connection refused"), Optional.of(NOW.minusSeconds(2)),
                FIVE_MINUTES, NOW);
        assertThat(a.problems()).singleElement().asString().contains("does not answer", "Connection refused");
        assertThat(a.rpoLag()).hasValue(Duration.ofSeconds(2));
    }

    @Test
    void rpoLagCountsFromTheOldestWalNotYetDurable() {
        RpoLag lag = new RpoLag();
        assertThat(lag.lagMillis(1000)).isZero();
        lag.arrived(new Lsn(100), 1000);
        lag.arrived(new Lsn(200), 1005); // merged with the first: within 10 ms
        lag.arrived(new Lsn(300), 1500);
        assertThat(lag.lagMillis(1800)).isEqualTo(800);
        lag.durable(new Lsn(200));
        assertThat(lag.lagMillis(1800)).as("the oldest not durable arrived at 1500").isEqualTo(300);
        lag.durable(new Lsn(300));
        assertThat(lag.lagMillis(5000)).as("everything received is stored").isZero();
        lag.arrived(new Lsn(300), 6000);
        assertThat(lag.lagMillis(7000)).as("WAL already durable does not count").isZero();
    }
}
