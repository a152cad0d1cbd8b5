package dev.lifeboat.postgres.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DIR.wal, where recovery stages WAL, may be a surviving WAL volume of the lost cluster: never emptied unasked. */
class ForeignWalTest {
    @TempDir
    Path dir;

    @Test
    void aWalVolumeOfTheLostClusterIsRefusedBeforeAnythingIsRestored() throws Exception {
        Path wal = Files.createDirectories(dir.resolve("main.wal"));
        Files.write(wal.resolve("000000010000000000000042"), new byte[16]);
        LifeboatException e = catchThrowableOfType(LifeboatException.class, () -> RecoveryPreparation.refuseForeignWal(wal));
        assertThat(e.code()).isEqualTo(ErrorCode.TARGET_NOT_EMPTY);
        assertThat(e.getMessage()).contains("without the mark Lifeboat leaves", "nothing was restored");
        assertThat(e.hint()).contains("copy what it holds to safety first");
        assertThat(wal.resolve("000000010000000000000042")).exists();
    }

    @Test
    void anEmptyOrAbsentDirectoryOrOneLifeboatStagedIsUsed() throws Exception {
        assertThatCode(() -> RecoveryPreparation.refuseForeignWal(dir.resolve("absent.wal"))).doesNotThrowAnyException();
        Path empty = Files.createDirectories(dir.resolve("empty.wal"));
        assertThatCode(() -> RecoveryPreparation.refuseForeignWal(empty)).doesNotThrowAnyException();
        Path staged = Files.createDirectories(dir.resolve("staged.wal"));
        Files.writeString(staged.resolve(RecoveryPreparation.STAGED_MARK), "");
        Files.write(staged.resolve("000000010000000000000042"), new byte[16]);
        assertThatCode(() -> RecoveryPreparation.refuseForeignWal(staged)).doesNotThrowAnyException();
    }
}
