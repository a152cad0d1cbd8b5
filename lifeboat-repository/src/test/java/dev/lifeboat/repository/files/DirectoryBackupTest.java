package dev.lifeboat.repository.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import dev.lifeboat.repository.store.ObjectInfo;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryBackupTest {
    static final Optional<Credentials> SECRET = Optional.of(new Credentials.Passphrase("correct horse".toCharArray()));

    @TempDir
    Path dir;

    private Repository repo() {
        return Repository.init(new FilesystemObjectStore(dir.resolve("repo")), SECRET,
                RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()).withPackSize(4 * 1024 * 1024));
    }

    @Test
    void restoresContentModesTimesSymlinksAndEmptyDirectories() {
        Path source = TreeFixture.create(dir.resolve("src"), 6, 300_000, 1);
        Repository repo = repo();
        Snapshot s = new DirectoryBackup(repo, Clock.systemUTC(), 2).run(source, "config", List.of("deploy-config"), Progress.NONE);
        assertThat(s.manifest().stats().files()).isEqualTo(11);
        Path target = dir.resolve("restored");
        long files = new DirectoryRestore(Repository.open(repo.store(), SECRET)).run(
                Repository.open(repo.store(), SECRET).snapshots().find(s.shortId(), Optional.empty()), target, Progress.NONE);
        assertThat(files).isEqualTo(11);
        assertThat(TreeFixture.describe(target)).isEqualTo(TreeFixture.describe(source));
    }

    @Test
    void theListingBeingBuiltHasNoNameInTheTemporaryDirectorySoAKilledBackupLeavesNothing() throws Exception {
        Path source = TreeFixture.create(dir.resolve("src"), 3, 300_000, 5);
        Repository repo = repo();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        java.util.Set<String> before = listings(tmp);
        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger looks = new java.util.concurrent.atomic.AtomicInteger();
        new DirectoryBackup(repo, Clock.systemUTC(), 1).run(source, "config", List.of(), (done, total, files) -> {
            looks.incrementAndGet();
            seen.addAll(listings(tmp));
        });
        seen.removeAll(before);
        assertThat(looks.get()).as("progress reported while the listing was open").isPositive();
        assertThat(seen).as("listing files visible during the backup").isEmpty();
    }

    private static java.util.Set<String> listings(Path tmp) {
        try (var names = Files.list(tmp)) {
            return names.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("lifeboat-tree")).collect(java.util.stream.Collectors.toSet());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void secondBackupAfterAOnePercentChangeStoresRoughlyTheChangedBytes() throws Exception {
        Path source = TreeFixture.create(dir.resolve("src"), 40, 1_000_000, 2);
        Repository repo = repo();
        DirectoryBackup backup = new DirectoryBackup(repo, Clock.systemUTC(), 2);
        Snapshot first = backup.run(source, "data", List.of(), Progress.NONE);
        long total = first.manifest().stats().bytes();
        assertThat(first.manifest().stats().newBytes()).isGreaterThan(total * 9 / 10);

        // Change 1 %: overwrite four 100 kB regions in four files.
        Random r = new Random(3);
        long changed = 0;
        for (int i = 0; i < 4; i++) {
            try (RandomAccessFile f = new RandomAccessFile(source.resolve("data/part-" + (i * 9 + 1) + ".bin").toFile(), "rw")) {
                byte[] noise = new byte[100_000];
                r.nextBytes(noise);
                f.seek(300_000);
                f.write(noise);
                changed += noise.length;
            }
        }
        Snapshot second = backup.run(source, "data", List.of(), Progress.NONE);
        long newBytes = second.manifest().stats().newBytes();
        assertThat(changed).isBetween(total / 110, total / 90);
        // Each changed region also rewrites the chunks it straddles: at most one maximum-size chunk (256 KiB) on each
        // side. Boundaries depend on the repository's random key, so this bound, not a typical ratio, is asserted.
        long bound = changed + 4L * 2 * 256 * 1024;
        assertThat(newBytes).isGreaterThanOrEqualTo(changed).isLessThanOrEqualTo(bound);
        assertThat(newBytes).isLessThan(total / 10);

        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        new DirectoryRestore(repo).run(first, a, Progress.NONE);
        new DirectoryRestore(repo).run(second, b, Progress.NONE);
        assertThat(TreeFixture.describe(b)).isEqualTo(TreeFixture.describe(source));
        assertThat(Files.readAllBytes(a.resolve("data/part-0.log"))).isEqualTo(Files.readAllBytes(source.resolve("data/part-0.log")));
        assertThat(Files.readAllBytes(a.resolve("data/part-1.bin"))).isNotEqualTo(Files.readAllBytes(source.resolve("data/part-1.bin")));
    }

    @Test
    void aFlippedByteInAPackFailsTheRestoreWithoutWritingWrongData() throws Exception {
        Path source = TreeFixture.create(dir.resolve("src"), 4, 200_000, 4);
        Repository repo = repo();
        Snapshot s = new DirectoryBackup(repo, Clock.systemUTC(), 1).run(source, "data", List.of(), Progress.NONE);
        FilesystemObjectStore store = (FilesystemObjectStore) repo.store();
        ObjectInfo pack = store.list("data/").get(0);
        Path packFile = store.root().resolve(pack.name());
        byte[] bytes = Files.readAllBytes(packFile);
        bytes[bytes.length / 3] ^= 0x01;
        Files.write(packFile, bytes);

        Path target = dir.resolve("restored");
        LifeboatException e = catchThrowableOfType(LifeboatException.class,
                () -> new DirectoryRestore(Repository.open(store, SECRET)).run(s, target, Progress.NONE));
        assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT);
        assertThat(e.getMessage()).contains("in pack " + pack.name(), "is damaged");
        // Whatever was restored before the failure is correct; the damaged file is absent, not wrong.
        try (var walk = Files.walk(target)) {
            walk.filter(Files::isRegularFile).forEach(p -> {
                Path original = source.resolve(target.relativize(p));
                try {
                    assertThat(Files.readAllBytes(p)).as(p.toString()).isEqualTo(Files.readAllBytes(original));
                } catch (java.io.IOException io) {
                    throw new java.io.UncheckedIOException(io);
                }
            });
        }
    }

    @Test
    void restoreRefusesANonEmptyTarget() throws Exception {
        Path source = TreeFixture.create(dir.resolve("src"), 1, 1000, 5);
        Repository repo = repo();
        Snapshot s = new DirectoryBackup(repo, Clock.systemUTC(), 1).run(source, "x", List.of(), Progress.NONE);
        Path target = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(target.resolve("keep.txt"), "mine");
        LifeboatException e = catchThrowableOfType(LifeboatException.class, () -> new DirectoryRestore(repo).run(s, target, Progress.NONE));
        assertThat(e.getMessage()).contains("is not empty");
        assertThat(Files.readString(target.resolve("keep.txt"))).isEqualTo("mine");
    }
}
