package dev.lifeboat.postgres.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.core.plan.Endpoint;
import dev.lifeboat.core.plan.RePoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The re-point command runs without a shell, sees the new primary, reports its output, and is killed on overrun. */
class RePointCommandTest {
    @TempDir
    Path tmp;

    private static final Map<String, String> ENV = RePointCommand.environment("app-db", "replica-1",
            new Endpoint("10.0.0.7", 5433), new Endpoint("10.0.0.6", 5432));

    @Test
    void theCommandSeesTheNewPrimaryAndItsStatusCounts() {
        RePointCommand.Outcome ok = RePointCommand.run(new RePoint(List.of("/bin/sh", "-c",
                "echo \"to $LIFEBOAT_NEW_PRIMARY_HOST:$LIFEBOAT_NEW_PRIMARY_PORT ($LIFEBOAT_NEW_PRIMARY of $LIFEBOAT_CLUSTER),"
                        + " from $LIFEBOAT_OLD_PRIMARY_HOST:$LIFEBOAT_OLD_PRIMARY_PORT\""), Duration.ofSeconds(10)), ENV);
        assertThat(ok.succeeded()).isTrue();
        assertThat(ok.output()).isEqualTo("to 10.0.0.7:5433 (replica-1 of app-db), from 10.0.0.6:5432");

        RePointCommand.Outcome failed = RePointCommand.run(new RePoint(List.of("/bin/sh", "-c", "echo 'pgbouncer: RELOAD refused' >&2; exit 3"),
                Duration.ofSeconds(10)), ENV);
        assertThat(failed.succeeded()).isFalse();
        assertThat(failed.exitStatus()).isEqualTo(3);
        assertThat(failed.timedOut()).isFalse();
        assertThat(failed.output()).as("stderr is kept too").isEqualTo("pgbouncer: RELOAD refused");
        assertThat(failed.describe()).contains("exited 3");
    }

    @Test
    void theCommandGetsNoneOfLifeboatsOtherVariables() {
        RePointCommand.Outcome o = RePointCommand.run(new RePoint(List.of("/usr/bin/env"), Duration.ofSeconds(10)), ENV);
        assertThat(o.succeeded()).isTrue();
        java.util.Set<String> names = new java.util.TreeSet<>();
        o.output().lines().forEach(l -> names.add(l.substring(0, l.indexOf('='))));
        assertThat(names).containsAll(ENV.keySet()).contains("PATH");
        java.util.Set<String> allowed = new java.util.HashSet<>(RePointCommand.INHERITED);
        allowed.addAll(ENV.keySet());
        allowed.add(RePointCommand.RUN_MARKER);
        assertThat(allowed).containsAll(names);
        assertThat(System.getenv().keySet()).as("the test JVM has variables the command must not see")
                .anyMatch(k -> !allowed.contains(k));
    }

    @Test
    void anOverrunningCommandIsKilledWithWhatItStarted() throws Exception {
        Path pid = tmp.resolve("child.pid");
        RePointCommand.Outcome o = RePointCommand.run(new RePoint(List.of("/bin/sh", "-c",
                "echo started; sleep 60 & echo $! > " + pid + "; wait"), Duration.ofMillis(700)), ENV);
        assertThat(o.timedOut()).isTrue();
        assertThat(o.succeeded()).isFalse();
        assertThat(o.output()).isEqualTo("started");
        assertThat(o.describe()).contains("killed after overrunning");
        assertGone(Long.parseLong(Files.readString(pid).trim()), "the command's child");
    }

    /** Waits up to 5 s for a process the test's command started to be gone, asserts it is, and kills it if not. */
    private static void assertGone(long pid, String what) throws InterruptedException {
        try {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as(what + " is gone").isFalse();
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // started by this test
        }
    }

    @Test
    void aDaemonThatLeftTheSessionIsKilledByItsRunMarker() throws Exception {
        // setsid in an orphaned subshell: the sleeper is in a session and process group of its own, and its parent
        // exited, so neither the descendants nor the process group find it; the environment it started with does.
        Path pid = tmp.resolve("daemon.pid");
        Path group = tmp.resolve("daemon.pgid");
        RePointCommand.Outcome o = RePointCommand.run(new RePoint(List.of("/bin/sh", "-c",
                "(setsid sh -c 'cut -d\" \" -f5 /proc/self/stat > " + group + "; exec sleep 60' > /dev/null 2>&1 < /dev/null & echo $! > " + pid
                        + "); echo daemonized; sleep 60"), Duration.ofMillis(700)), ENV);
        assertThat(o.timedOut()).isTrue();
        long daemon = Long.parseLong(Files.readString(pid).trim());
        assertGone(daemon, "the daemon");
        assertThat(Long.parseLong(Files.readString(group).trim())).as("the daemon led a process group of its own").isEqualTo(daemon);
    }

    @Test
    void aChildThatLeftItsParentIsKilledWithTheGroup() throws Exception {
        // The command's shell exits its subshell at once, so the sleeper is reparented and is no descendant any more;
        // it is still in the command's process group.
        Path pid = tmp.resolve("orphan.pid");
        RePointCommand.Outcome o = RePointCommand.run(new RePoint(List.of("/bin/sh", "-c",
                "(sleep 60 > /dev/null 2>&1 & echo $! > " + pid + "); echo detached; sleep 60"), Duration.ofMillis(700)), ENV);
        assertThat(o.timedOut()).isTrue();
        assertGone(Long.parseLong(Files.readString(pid).trim()), "the detached child");
    }

    @Test
    void aProgramThatCannotRunIsFoundBeforeAnythingChanges() throws Exception {
        assertThat(RePointCommand.problem(new RePoint(List.of("sh", "-c", "true"), Duration.ofSeconds(1)))).isEmpty();
        assertThat(RePointCommand.problem(new RePoint(List.of(tmp.resolve("missing.sh").toString()), Duration.ofSeconds(1))))
                .hasValueSatisfying(p -> assertThat(p).contains("missing.sh", "does not exist"));
        Path notExecutable = Files.writeString(tmp.resolve("repoint.sh"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(notExecutable, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(RePointCommand.problem(new RePoint(List.of(notExecutable.toString()), Duration.ofSeconds(1))))
                .hasValueSatisfying(p -> assertThat(p).contains("not an executable file"));
        assertThat(RePointCommand.problem(new RePoint(List.of("lifeboat-no-such-program-" + System.nanoTime()), Duration.ofSeconds(1))))
                .hasValueSatisfying(p -> assertThat(p).contains("is not on PATH"));
        RePointCommand.Outcome o = RePointCommand.run(new RePoint(List.of(tmp.resolve("missing.sh").toString()), Duration.ofSeconds(1)), ENV);
        assertThat(o.succeeded()).isFalse();
        assertThat(o.describe()).contains("could not start");
    }

    @Test
    void variablesNamedInInheritPassThroughAndNoOthers() {
        String extra = System.getenv().keySet().stream().filter(k -> !RePointCommand.INHERITED.contains(k) && !k.startsWith("LIFEBOAT_"))
                .findFirst().orElseThrow();
        RePointCommand.Outcome without = RePointCommand.run(new RePoint(List.of("/usr/bin/env"), Duration.ofSeconds(10)), ENV);
        assertThat(without.output().lines()).noneMatch(l -> l.startsWith(extra + "="));
        RePointCommand.Outcome with = RePointCommand.run(new RePoint(List.of("/usr/bin/env"), Duration.ofSeconds(10), List.of(extra)), ENV);
        assertThat(with.output().lines()).anyMatch(l -> l.startsWith(extra + "="));
    }

    @Test
    void theProgramBehindALeadingEnvIsTheOneChecked() {
        assertThat(RePointCommand.problem(new RePoint(List.of("/usr/bin/env", "PSQL=/usr/bin/psql", tmp.resolve("gone.sh").toString(), "arg"),
                Duration.ofSeconds(1)))).hasValueSatisfying(p -> assertThat(p).contains("gone.sh", "does not exist"));
        assertThat(RePointCommand.problem(new RePoint(List.of("/usr/bin/env", "A=1", "sh", "-c", "true"), Duration.ofSeconds(1)))).isEmpty();
        assertThat(RePointCommand.program(List.of("env", "-u", "HOME", "-C", "/tmp", "X=1", "/usr/local/bin/repoint", "a")))
                .isEqualTo("/usr/local/bin/repoint");
        assertThat(RePointCommand.program(List.of("/"))).isEqualTo("/");
    }

    @Test
    void anEndlessLineIsCutNotHeld() {
        RePointCommand.Outcome o = RePointCommand.run(new RePoint(List.of("/bin/sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x; echo; echo done"),
                Duration.ofSeconds(10)), ENV);
        assertThat(o.succeeded()).isTrue();
        List<String> lines = o.output().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).hasSize(501).endsWith("…");
        assertThat(lines.get(1)).isEqualTo("done");
    }
}
