package dev.lifeboat.core.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BinariesTest {
    @Test
    void missingPostgresSaysWhereItLookedAndHowToInstall() {
        LifeboatException e = catchThrowableOfType(LifeboatException.class,
                () -> Binaries.postgresBin("/nowhere/bin", Path.of("/nowhere/lib"), false));
        assertThat(e.code()).isEqualTo(ErrorCode.BINARY_NOT_FOUND);
        assertThat(e.getMessage()).contains("PostgreSQL server binaries", "/nowhere/bin ($LIFEBOAT_PG_BIN)", "/nowhere/lib/*/bin");
        assertThat(e.hint()).contains("apt-get install -y postgresql", "LIFEBOAT_PG_BIN");
        assertThat(e.exitStatus()).isEqualTo(60);
    }
}
