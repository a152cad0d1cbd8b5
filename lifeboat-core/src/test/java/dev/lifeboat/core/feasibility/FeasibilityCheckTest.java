package dev.lifeboat.core.feasibility;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.core.config.PlanLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FeasibilityCheckTest {
    static final Path EXAMPLE = Path.of("..", "examples", "learning-assistant", "lifeboat.yaml");

    static Feasibility assess(String yaml) {
        return FeasibilityCheck.assess(PlanLoader.parse("test.yaml", yaml));
    }

    static String example() throws Exception {
        return Files.readString(EXAMPLE);
    }

    /** The example without one schedule (its whole block, up to the next schedule). */
    static String withoutSchedule(String yaml, String name) {
        return yaml.replaceAll("(?s)\n  " + name + ":\n.*?(?=\n  [a-z])", "");
    }

    static DataClassAssessment dataClass(Feasibility f, String name) {
        return f.dataClasses().stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow();
    }

    static ComponentAssessment component(Feasibility f, String name) {
        return f.components().stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void exampleVerdictsFollowFromItsSchedules() throws Exception {
        Feasibility f = assess(example());
        assertThat(f.components()).hasSize(6);
        assertThat(f.dataClasses()).hasSize(6);
        DataClassAssessment progress = dataClass(f, "learning-progress");
        assertThat(progress.verdict()).isEqualTo(Verdict.MET);
        assertThat(progress.deliveredRpo()).contains(Duration.ofMinutes(5));
        assertThat(progress.reasons()).anyMatch(r -> r.contains("WAL streamed continuously"));
        // Schedules this build does not run protect nothing: analytics-db has no data-dir for a base backup to read,
        // buckets cannot be mirrored yet, git and Kubernetes configuration cannot be backed up yet.
        DataClassAssessment analytics = dataClass(f, "analytics-data");
        assertThat(analytics.verdict()).isEqualTo(Verdict.NOT_MET);
        assertThat(analytics.deliveredRpo()).isEmpty();
        assertThat(analytics.reasons()).anyMatch(r -> r.contains("'analytics-hourly' (backup) does not run: a base backup reads the data directory"));
        assertThat(component(f, "learning-content-api").reasons())
                .anyMatch(r -> r.contains("'content-mirror' (mirror) does not run: this build of Lifeboat cannot mirror buckets yet"));
        assertThat(component(f, "admin-portal").verdict()).isEqualTo(Verdict.NOT_MET);
        assertThat(f.notes()).anyMatch(n -> n.startsWith("configuration source 'k8s-objects' is protected by no schedule this build runs"));
        assertThat(f.protections()).filteredOn(p -> p.resource().equals("helm-values"))
                .allMatch(p -> p.exists() && p.notRun().isEmpty(), "a directory source is backed up");
        // The seed's own gap: sessions are snapshotted every 15 minutes but User Authentication promises 5.
        DataClassAssessment sessions = dataClass(f, "session-data");
        assertThat(sessions.verdict()).isEqualTo(Verdict.NOT_MET);
        assertThat(sessions.rpoTargetSource()).isEqualTo("component user-authentication");
        assertThat(component(f, "user-authentication").verdict()).isEqualTo(Verdict.NOT_MET);
        assertThat(f.gaps()).isEqualTo(7);
        assertThat(f.components()).allMatch(c -> c.rto() == Verdict.UNMEASURED);
    }

    @Test
    void acceptingALooserRpoOnTheDataClassClosesTheGap() throws Exception {
        String yaml = example().replace("    backup-frequency: 15m\n    retention: 30d\n",
                "    backup-frequency: 15m\n    retention: 30d\n    rpo: 15m\n");
        Feasibility f = assess(yaml);
        assertThat(component(f, "user-authentication").verdict()).isEqualTo(Verdict.MET);
        assertThat(dataClass(f, "session-data").verdict()).isEqualTo(Verdict.MET);
        assertThat(f.gaps()).isEqualTo(5);
        assertThat(component(f, "user-authentication").reasons()).anyMatch(r -> r.contains("its data class accepts 15m"));
    }

    @Test
    void fourHourlyBackupsCannotMeetAnHourlyRpo() throws Exception {
        String yaml = example().replace("    backup-frequency: hourly\n", "    backup-frequency: 4h\n")
                .replace("      database: analytics\n", "      database: analytics\n      data-dir: /var/lib/postgresql/15/analytics\n")
                .replace("  analytics-hourly:\n    job: backup\n    resources: [analytics-db]\n    cron: \"0 * * * *\"",
                        "  analytics-hourly:\n    job: backup\n    resources: [analytics-db]\n    cron: \"0 */4 * * *\"");
        Feasibility f = assess(yaml);
        DataClassAssessment analytics = dataClass(f, "analytics-data");
        assertThat(analytics.verdict()).isEqualTo(Verdict.NOT_MET);
        assertThat(analytics.rpoTarget()).contains(Duration.ofHours(1));
        assertThat(analytics.deliveredRpo()).contains(Duration.ofHours(4));
        assertThat(analytics.reasons().get(0)).isEqualTo("target 1h (component analytics-dashboard), but 'analytics-db' can lose up to 4h: "
                + "backed up with at most 4h between backups [postgres-full, analytics-hourly]");
        assertThat(component(f, "analytics-dashboard").verdict()).isEqualTo(Verdict.NOT_MET);
    }

    @Test
    void realTimeDataNeedsContinuousProtection() throws Exception {
        String yaml = withoutSchedule(example(), "wal-shipping");
        DataClassAssessment profiles = dataClass(assess(yaml), "user-profiles");
        assertThat(profiles.verdict()).isEqualTo(Verdict.NOT_MET);
        assertThat(profiles.reasons()).anyMatch(r -> r.startsWith("must be captured in real time, but 'app-db' is only backed up"));
    }

    @Test
    void walWithoutABaseBackupCannotBeRestored() throws Exception {
        String yaml = example().replace("resources: [app-db, analytics-db]\n    cron: \"0 2 * * *\"", "resources: [analytics-db]\n    cron: \"0 2 * * *\"")
                .replace("  postgres-incremental:\n    job: backup\n    resources: [app-db]\n", "  postgres-incremental:\n    job: backup\n    resources: [analytics-db]\n");
        Feasibility f = assess(yaml);
        assertThat(component(f, "progress-tracking").verdict()).isEqualTo(Verdict.NOT_MET);
        assertThat(component(f, "progress-tracking").reasons()).anyMatch(r -> r.contains("WAL replay needs a base backup"));
    }

    @Test
    void keepPolicyThatFallsShortOfRetentionIsReported() throws Exception {
        String yaml = example().replace("keep: {within: 90d, daily: 400, yearly: 7}", "keep: {within: 90d, daily: 400}");
        DataClassAssessment audit = dataClass(assess(yaml), "audit-logs");
        assertThat(audit.retentionVerdict()).isEqualTo(Verdict.NOT_MET);
        assertThat(audit.retentionReach()).isEqualTo(Duration.ofDays(400));
        assertThat(audit.reasons()).anyMatch(r -> r.equals("retention 7y NOT covered: the keep policy reaches back only 1y35d"));
    }

    @Test
    void unprotectedDependencyIsNamed() throws Exception {
        String yaml = withoutSchedule(example(), "content-mirror");
        Feasibility f = assess(yaml);
        ComponentAssessment content = component(f, "learning-content-api");
        assertThat(content.verdict()).isEqualTo(Verdict.NOT_MET);
        assertThat(content.deliveredRpo()).isEqualTo(Optional.empty());
        assertThat(content.reasons().get(0)).isEqualTo("depends on bucket 'content-files', which no schedule protects");
        assertThat(f.notes()).contains("bucket 'content-files' is protected by no schedule");
    }

    @Test
    void looserComponentTargetsThanThePlanWideOnesAreNoted() throws Exception {
        assertThat(assess(example()).notes()).contains("Analytics Dashboard: RPO 1h is looser than the plan-wide RPO 15m");
    }
}
