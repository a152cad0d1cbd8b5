package dev.lifeboat.postgres.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void sweepsWhatNoLiveProcessLocksAndKeepsTheRest() throws Exception {
        Path parent = ScratchDirectory.parent(tmp);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(parent))).isEqualTo("rwx--x--x");

        try (ScratchDirectory mine = ScratchDirectory.create(parent)) {
            Files.createDirectories(mine.path().resolve("data"));

            // Another process holds a lock: a verification running elsewhere.
            Path other = Files.createDirectory(parent.resolve(ScratchDirectory.PREFIX + "other"));
            Path locker = tmp.resolve("Locker.java");
            Files.writeString(locker, """
                    public class Locker {
                        public static void main(String[] a) throws Exception {
                            var c = java.nio.channels.FileChannel.open(java.nio.file.Path.of(a[0]), java.nio.file.StandardOpenOption.CREATE,
                                    java.nio.file.StandardOpenOption.WRITE);
                            c.lock();
                            System.out.println("locked");
                            System.out.flush();
                            Thread.sleep(120_000);
                        }
                    }
                    """);
            Process holder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), locker.toString(),
                    other.resolve(ScratchDirectory.LOCK).toString()).redirectErrorStream(true).start();
            try {
                assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream())).readLine()).isEqualTo("locked");

                // A killed verification: its lock file is there, nobody holds it.
                Path orphan = Files.createDirectory(parent.resolve(ScratchDirectory.PREFIX + "orphan"));
                Files.writeString(orphan.resolve(ScratchDirectory.LOCK), "12345\n");
                Files.createDirectories(orphan.resolve("data/base/1"));
                Files.write(orphan.resolve("data/base/1/1259"), new byte[8192]);
                // A pid file from before a reboot names a pid that now belongs to something else (this JVM): not ours to stop.
                Files.writeString(orphan.resolve("data/postmaster.pid"), ProcessHandle.current().pid() + "\n" + orphan.resolve("data") + "\n");

                Path unlockedFresh = Files.createDirectory(parent.resolve(ScratchDirectory.PREFIX + "starting"));
                Path unlockedOld = Files.createDirectory(parent.resolve(ScratchDirectory.PREFIX + "old"));
                Files.setLastModifiedTime(unlockedOld, FileTime.from(Instant.now().minus(ScratchDirectory.GRACE).minusSeconds(60)));
                Path unrelated = Files.createDirectory(parent.resolve("something-else"));

                List<String> said = ScratchDirectory.sweep(parent, Optional.empty());

                assertThat(mine.path()).exists();
                assertThat(other).as("locked by a running process").exists();
                assertThat(unlockedFresh).exists();
                assertThat(unrelated).exists();
                assertThat(orphan).doesNotExist();
                assertThat(unlockedOld).doesNotExist();
                assertThat(ProcessHandle.current().isAlive()).isTrue();
                assertThat(said).hasSize(2).anySatisfy(m -> assertThat(m).contains(orphan.toString(), "no process holds its lock")
                                .doesNotContain("stopping"))
                        .anySatisfy(m -> assertThat(m).contains(unlockedOld.toString(), "no lock file"));
            } finally {
                holder.destroyForcibly();
                holder.waitFor(10, TimeUnit.SECONDS);
            }
            // The holder is gone, and with it its lock.
            assertThat(ScratchDirectory.sweep(parent, Optional.empty())).singleElement().asString().contains("verify-other");
        }
    }

    @Test
    void closingDeletesTheDirectory() {
        Path parent = ScratchDirectory.parent(tmp);
        Path path;
        try (ScratchDirectory s = ScratchDirectory.create(parent)) {
            path = s.path();
            assertThat(path.getFileName().toString()).startsWith(ScratchDirectory.PREFIX);
            assertThat(path.resolve(ScratchDirectory.LOCK)).isRegularFile();
        }
        assertThat(path).doesNotExist();
    }

    @Test
    void aParentSomeoneElseCanWriteIsRefused() throws Exception {
        Path parent = ScratchDirectory.parent(tmp);
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxrwxrwx"));
        LifeboatException e = catchThrowableOfType(LifeboatException.class, () -> ScratchDirectory.parent(tmp));
        assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
        assertThat(e.getMessage()).contains("only it can write", "rwxrwxrwx");

        Path elsewhere = Files.createTempDirectory("lb-target");
        Path linked = tmp.resolve("t2");
        Files.createDirectory(linked);
        Files.createSymbolicLink(linked.resolve("lifeboat-scratch-" + System.getProperty("user.name")), elsewhere);
        assertThat(catchThrowableOfType(LifeboatException.class, () -> ScratchDirectory.parent(linked)).getMessage()).contains("a symbolic link");
        Files.delete(elsewhere);
    }
}
