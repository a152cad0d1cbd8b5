package dev.lifeboat.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.core.config.ConfigReference;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.ExitCodeReference;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The reference pages are generated from code; this test fails when the committed page differs. Regenerate with
 * {@code mvn -pl lifeboat-core test -Dlifeboat.docs.write=true}.
 */
class ReferenceDocsTest {
    private static final Path DOCS = Path.of("..", "docs", "reference");

    private static void check(String file, String generated) throws Exception {
        Path path = DOCS.resolve(file);
        if (Boolean.getBoolean("lifeboat.docs.write")) {
            Files.createDirectories(DOCS);
            Files.writeString(path, generated);
        }
        assertThat(path).as("%s exists (regenerate with -Dlifeboat.docs.write=true)", path).exists();
        assertThat(Files.readString(path)).as("%s is up to date (regenerate with -Dlifeboat.docs.write=true)", path)
                .isEqualTo(generated);
    }

    @Test
    void configReferenceIsCurrent() throws Exception {
        String page = ConfigReference.markdown();
        assertThat(page).contains("## component", "`backup-frequency`", "## escalation level", "`max-lag`");
        check("config.md", page);
    }

    @Test
    void exitCodeReferenceListsEveryCode() throws Exception {
        String page = ExitCodeReference.markdown();
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(page).contains("`" + c.id() + "`");
        }
        check("exit-codes.md", page);
    }
}
