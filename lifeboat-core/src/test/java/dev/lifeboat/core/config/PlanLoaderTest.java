package dev.lifeboat.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Frequency;
import dev.lifeboat.core.plan.Plan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlanLoaderTest {
    static final Path EXAMPLE = Path.of("..", "examples", "learning-assistant", "lifeboat.yaml");

    /** A small valid plan; tests replace one line to break it in one way. */
    static final String BASE = """
            version: 1
            name: shop
            objectives:
              rto: 4h
              rpo: 15m
            components:
              checkout:
                criticality: critical
                rto: 30m
                rpo: 5m
                depends-on: [orders-db]
                data: [orders]
            data-classes:
              orders:
                criticality: critical
                backup-frequency: real-time
                retention: 7y
                stored-in:
                  - resource: orders-db
                    tables: [public.orders]
            resources:
              postgres:
                orders-db:
                  primary: 127.0.0.1:5432
                  password: {env: PGPASSWORD}
            schedules:
              nightly:
                job: backup
                resources: [orders-db]
                cron: "0 2 * * *"
              wal:
                job: wal
                resources: [orders-db]
                max-lag: 1m
            """;

    static List<Problem> problems(String yaml) {
        PlanInvalidException e = catchThrowableOfType(PlanInvalidException.class, () -> PlanLoader.parse("test.yaml", yaml));
        assertThat(e).as("the plan should be invalid").isNotNull();
        return e.problems();
    }

    static Problem only(String yaml) {
        List<Problem> p = problems(yaml);
        assertThat(p).hasSize(1);
        return p.get(0);
    }

    @Test
    void theLearningAssistantExampleHoldsTheWholeSeedPlan() {
        Plan plan = PlanLoader.load(EXAMPLE);
        assertThat(plan.components().values()).extracting(c -> c.title()).containsExactly("User Authentication",
                "Learning Content API", "Progress Tracking", "Analytics Dashboard", "Notification System", "Admin Portal");
        assertThat(plan.dataClasses().values()).extracting(d -> d.title()).containsExactly("User Profiles",
                "Learning Progress", "Content Data", "Session Data", "Analytics Data", "Audit Logs");
        assertThat(plan.components().get("user-authentication").rpo()).isEqualTo(Duration.ofMinutes(5));
        assertThat(plan.dataClasses().get("user-profiles").backupFrequency()).isInstanceOf(Frequency.RealTime.class);
        assertThat(plan.dataClasses().get("audit-logs").retention()).isEqualTo(Duration.ofDays(7 * 365));
        assertThat(plan.objectives().availabilityPercent()).isEqualTo(99.9);
        assertThat(plan.repository().orElseThrow().regions()).hasSize(3);
        assertThat(plan.schedules()).containsKeys("postgres-full", "postgres-incremental", "wal-shipping", "redis-rdb",
                "monthly-dr-test", "weekly-backup-validation", "daily-health-check");
        assertThat(plan.schedules().get("monthly-dr-test").cron().orElseThrow().toString()).isEqualTo("0 2 * * 6#1");
        assertThat(plan.escalation()).extracting(l -> l.level()).containsExactly(1, 2, 3, 4);
        assertThat(plan.templates()).containsKeys("incident-update", "customer-notice");
        assertThat(plan.contacts().get("dba-lead").backup()).contains("dba-secondary");
    }

    @Test
    void theBasePlanIsValid() {
        Plan plan = PlanLoader.parse("test.yaml", BASE);
        assertThat(plan.resources().postgres().get("orders-db").password().orElseThrow().source()).isEqualTo("env:PGPASSWORD");
    }

    @Test
    void misspelledKeyIsRejectedWithItsPositionAndASuggestion() {
        Problem p = problems(BASE.replace("    rpo: 5m", "    rpoo: 5m")).stream()
                .filter(x -> x.code() == ErrorCode.UNKNOWN_KEY).findFirst().orElseThrow();
        assertThat(p.at()).isEqualTo(new Position("test.yaml", 10, 5));
        assertThat(p.message()).isEqualTo("unknown key 'rpoo' in components.checkout");
        assertThat(p.hint()).isEqualTo("Did you mean 'rpo'?");
    }

    @Test
    void negativeDurationIsRejected() {
        Problem p = only(BASE.replace("rpo: 15m", "rpo: -15m"));
        assertThat(p.code()).isEqualTo(ErrorCode.BAD_DURATION);
        assertThat(p.at()).isEqualTo(new Position("test.yaml", 5, 8));
        assertThat(p.message()).contains("objectives.rpo", "negative");
    }

    @Test
    void zeroAndUnitlessDurationsAreRejected() {
        assertThat(only(BASE.replace("rto: 4h", "rto: 0s")).message()).contains("zero");
        Problem p = only(BASE.replace("rto: 4h", "rto: 4"));
        assertThat(p.message()).contains("no unit");
        assertThat(p.hint()).contains("4h");
    }

    @Test
    void invalidCronIsRejectedNamingTheField() {
        Problem p = only(BASE.replace("\"0 2 * * *\"", "\"0 25 * * *\""));
        assertThat(p.code()).isEqualTo(ErrorCode.BAD_CRON);
        assertThat(p.at().line()).isEqualTo(30);
        assertThat(p.message()).isEqualTo("schedules.nightly.cron: hour value 25 is out of range 0-23");
    }

    @Test
    void unquotedCronIsASyntaxErrorWithAQuotingHint() {
        Problem p = only(BASE.replace("\"0 2 * * *\"", "*/15 * * * *"));
        assertThat(p.code()).isEqualTo(ErrorCode.YAML_SYNTAX);
        assertThat(p.at().line()).isEqualTo(30);
        assertThat(p.hint()).contains("quoted");
    }

    @Test
    void aWalScheduleStreamsFromANamedReplicaOnly() {
        String withReplica = BASE.replace("      password: {env: PGPASSWORD}\n",
                "      password: {env: PGPASSWORD}\n      replicas: {replica-1: {endpoint: 127.0.0.1:5433}}\n");
        Plan ok = PlanLoader.parse("test.yaml", withReplica.replace("    max-lag: 1m\n", "    max-lag: 1m\n    options: {from: replica-1}\n"));
        dev.lifeboat.core.plan.WalSource source = dev.lifeboat.core.plan.WalSource.of(ok, "orders-db");
        assertThat(source.standby()).isTrue();
        assertThat(source.endpoint()).isEqualTo(new dev.lifeboat.core.plan.Endpoint("127.0.0.1", 5433));
        assertThat(source.otherServers(ok.resources().postgres().get("orders-db")))
                .containsOnlyKeys("the primary (127.0.0.1:5432)");
        assertThat(dev.lifeboat.core.plan.WalSource.of(PlanLoader.parse("test.yaml", withReplica), "orders-db").describe())
                .isEqualTo("the primary (127.0.0.1:5432)");

        Problem typo = only(withReplica.replace("    max-lag: 1m\n", "    max-lag: 1m\n    options: {from: replica-2}\n"));
        assertThat(typo.code()).isEqualTo(ErrorCode.UNDEFINED_REFERENCE);
        assertThat(typo.message()).isEqualTo("schedules.wal.options.from refers to replica of orders-db 'replica-2', which is not defined");
        assertThat(typo.hint()).isEqualTo("Did you mean 'replica-1'?");

        Problem both = only(withReplica.replace("    max-lag: 1m\n", "    max-lag: 1m\n    options: {from: replica-1, spool: /var/spool/wal}\n"));
        assertThat(both.code()).isEqualTo(ErrorCode.IMPOSSIBLE_VALUE);
        assertThat(both.hint()).contains("Keep one of them");
    }

    @Test
    void twoClustersCannotShareASpoolDirectory() {
        String two = BASE.replace("      password: {env: PGPASSWORD}\n",
                "      password: {env: PGPASSWORD}\n    users-db:\n      primary: 127.0.0.1:5433\n      password: {env: PGPASSWORD}\n");
        Plan own = PlanLoader.parse("test.yaml", two.replace("    max-lag: 1m\n", "    max-lag: 1m\n    options: {spool: /var/spool/orders}\n")
                + "  users-wal:\n    job: wal\n    resources: [users-db]\n    max-lag: 1m\n    options: {spool: /var/spool/users}\n");
        assertThat(own.schedules()).containsKey("users-wal");

        Problem shared = only(two.replace("    resources: [orders-db]\n    max-lag: 1m\n",
                "    resources: [orders-db, users-db]\n    max-lag: 1m\n    options: {spool: /var/spool/wal}\n"));
        assertThat(shared.code()).isEqualTo(ErrorCode.IMPOSSIBLE_VALUE);
        assertThat(shared.message()).isEqualTo("schedules.wal: clusters orders-db and users-db share the spool /var/spool/wal, where their "
                + "segments' names collide");
    }

    @Test
    void componentDependingOnAnUndefinedResourceIsRejected() {
        Problem p = only(BASE.replace("depends-on: [orders-db]", "depends-on: [order-db]"));
        assertThat(p.code()).isEqualTo(ErrorCode.UNDEFINED_REFERENCE);
        assertThat(p.at()).isEqualTo(new Position("test.yaml", 11, 18));
        assertThat(p.message()).isEqualTo("components.checkout.depends-on[0] refers to resource 'order-db', which is not defined");
        assertThat(p.hint()).isEqualTo("Did you mean 'orders-db'?");
    }

    @Test
    void everyProblemIsReportedAtOnceInFileOrder() {
        String broken = BASE.replace("rpo: 15m", "rpo: -15m").replace("    rpo: 5m", "    rpoo: 5m")
                .replace("\"0 2 * * *\"", "\"0 25 * * *\"").replace("depends-on: [orders-db]", "depends-on: [nope]");
        List<Problem> p = problems(broken);
        assertThat(p).extracting(Problem::code).containsExactly(ErrorCode.BAD_DURATION, ErrorCode.MISSING_KEY,
                ErrorCode.UNKNOWN_KEY, ErrorCode.UNDEFINED_REFERENCE, ErrorCode.BAD_CRON);
    }

    @Test
    void inlineSecretIsRefusedWithoutEchoingIt() {
        Problem p = only(BASE.replace("password: {env: PGPASSWORD}", "password: hunter2"));
        assertThat(p.code()).isEqualTo(ErrorCode.INLINE_SECRET);
        assertThat(p.message() + p.hint()).doesNotContain("hunter2");
    }

    @Test
    void duplicateKeyNamesBothPlaces() {
        Problem p = only(BASE.replace("    rto: 30m\n", "    rto: 30m\n    rto: 1h\n"));
        assertThat(p.code()).isEqualTo(ErrorCode.DUPLICATE_KEY);
        assertThat(p.message()).contains("'rto'", "first at 9:5");
    }

    @Test
    void rpoLongerThanRetentionIsImpossible() {
        Problem p = only(BASE.replace("    retention: 7y\n", "    retention: 1d\n    rpo: 2d\n"));
        assertThat(p.code()).isEqualTo(ErrorCode.IMPOSSIBLE_VALUE);
        assertThat(p.message()).contains("rpo 2d is longer than retention 1d");
    }

    @Test
    void aKeepPolicyWithoutARuleIsRefused() {
        // keep: {} (its rules commented out) kept only the newest recovery point and let prune delete the rest.
        Problem p = only(BASE.replace("    retention: 7y\n", "    retention: 7y\n    keep: {}\n"));
        assertThat(p.code()).isEqualTo(ErrorCode.IMPOSSIBLE_VALUE);
        assertThat(p.message()).contains("names no rule", "only the newest");
        assertThat(PlanLoader.parse("test.yaml", BASE.replace("    retention: 7y\n", "    retention: 7y\n    keep: {last: 3}\n"))).isNotNull();
    }

    @Test
    void aMisspelledOrWrongJobOptionIsRefusedNotIgnored() {
        // {levle: full} ran quick verifies every week, and plan check passed.
        String verify = BASE + "  weekly:\n    job: verify\n    cron: \"0 3 * * 0\"\n    options: {levle: full}\n";
        Problem p = only(verify);
        assertThat(p.code()).isEqualTo(ErrorCode.UNKNOWN_KEY);
        assertThat(p.message()).contains("'levle'", "schedules.weekly.options");
        assertThat(p.hint()).contains("Did you mean 'level'?");
        assertThat(only(verify.replace("levle: full", "level: Full")).message()).contains("neither quick nor full");
        assertThat(only(verify.replace("levle: full", "timeout: 2hours")).code()).isEqualTo(ErrorCode.BAD_DURATION);
        assertThat(only(BASE.replace("    max-lag: 1m\n", "    max-lag: 1m\n    options: {form: replica-1}\n")).hint())
                .contains("Did you mean 'from'?");
        assertThat(only(BASE.replace("    max-lag: 1m\n", "    max-lag: 1m\n    options: {replica: r1}\n")).hint()).contains("Options of a wal job: from, spool");
    }

    @Test
    void pathStyleIsTheDefaultForAnS3CompatibleEndpointButNotForAws() {
        assertThat(RepositorySchema.s3Compatible("http://127.0.0.1:9000")).isTrue();
        assertThat(RepositorySchema.s3Compatible("https://minio.internal")).isTrue();
        assertThat(RepositorySchema.s3Compatible("https://s3-fips.us-east-1.amazonaws.com")).isFalse();
        assertThat(RepositorySchema.s3Compatible("bucket.s3-accelerate.amazonaws.com")).isFalse();
    }

    @Test
    void aRecursiveAliasIsAProblemNotAStackOverflow() {
        assertThat(problems(BASE.replace("name: shop\n", "name: shop\nlabels: &a [*a]\n")))
                .anyMatch(p -> p.code() == ErrorCode.YAML_SYNTAX && p.message().contains("recursive alias"));
    }

    @Test
    void monthsWrittenAsCapitalMAreRefusedNotReadAsMinutes() {
        Problem p = only(BASE.replace("    retention: 7y\n", "    retention: 12M\n"));
        assertThat(p.message()).contains("M is not a unit");
    }

    @Test
    void aClusterCanNameItsRePointCommand() {
        Plan plan = PlanLoader.parse("test.yaml", BASE.replace("      password: {env: PGPASSWORD}\n",
                "      password: {env: PGPASSWORD}\n      re-point: {command: [/usr/local/bin/repoint, orders-db], timeout: 10s}\n"));
        dev.lifeboat.core.plan.RePoint r = plan.resources().postgres().get("orders-db").rePoint().orElseThrow();
        assertThat(r.command()).containsExactly("/usr/local/bin/repoint", "orders-db");
        assertThat(r.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(PlanLoader.parse("test.yaml", BASE).resources().postgres().get("orders-db").rePoint()).isEmpty();
    }

    @Test
    void aRePointWithoutAProgramIsRefused() {
        Problem p = only(BASE.replace("      password: {env: PGPASSWORD}\n", "      password: {env: PGPASSWORD}\n      re-point: {command: []}\n"));
        assertThat(p.code()).isEqualTo(ErrorCode.BAD_VALUE);
        assertThat(p.message()).contains("re-point.command", "no program");
    }

    @Test
    void walJobOnARedisInstanceIsImpossible() {
        String yaml = BASE.replace("  postgres:\n", "  redis:\n    cache: {primary: 127.0.0.1:6379}\n  postgres:\n")
                .replace("resources: [orders-db]\n    max-lag", "resources: [cache]\n    max-lag");
        Problem p = only(yaml);
        assertThat(p.message()).contains("a wal job cannot cover Redis instance 'cache'");
    }

    @Test
    void wrongShapeAndBadEnumAreExplained() {
        Problem p = only(BASE.replace("depends-on: [orders-db]", "depends-on: orders-db"));
        assertThat(p.code()).isEqualTo(ErrorCode.WRONG_TYPE);
        assertThat(p.message()).contains("must be list of");
        Problem q = only(BASE.replace("criticality: critical\n    rto", "criticality: crtical\n    rto"));
        assertThat(q.hint()).isEqualTo("Did you mean 'critical'?");
    }

    @Test
    void newerFormatVersionAsksForAnUpgrade() {
        Problem p = only(BASE.replace("version: 1", "version: 2"));
        assertThat(p.hint()).contains("Upgrade Lifeboat");
    }

    @Test
    void emptyFileAndMissingFileAreClear() {
        assertThat(only("").message()).contains("version");
        LifeboatException e = catchThrowableOfType(LifeboatException.class, () -> PlanLoader.load(Path.of("/nonexistent/lifeboat.yaml")));
        assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_NOT_FOUND);
        assertThat(e.exitStatus()).isEqualTo(10);
    }

    @Test
    void configLocationFollowsFlagThenEnvironmentThenDefault() {
        assertThat(PlanLoader.locate(Optional.of(Path.of("a.yaml")), Map.of("LIFEBOAT_CONFIG", "b.yaml"))).isEqualTo(Path.of("a.yaml"));
        assertThat(PlanLoader.locate(Optional.empty(), Map.of("LIFEBOAT_CONFIG", "b.yaml"))).isEqualTo(Path.of("b.yaml"));
        assertThat(PlanLoader.locate(Optional.empty(), Map.of())).isEqualTo(Path.of("lifeboat.yaml"));
    }

    @Test
    void invalidPlanExitsWithTwenty() {
        assertThatThrownBy(() -> PlanLoader.parse("t.yaml", BASE.replace("version: 1", "version: x")))
                .isInstanceOfSatisfying(PlanInvalidException.class, e -> assertThat(e.exitStatus()).isEqualTo(20));
    }
}
