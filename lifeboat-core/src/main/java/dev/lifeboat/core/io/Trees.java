package dev.lifeboat.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Directory trees on local disk. */
public final class Trees {
    private Trees() {
    }

    /**
     * Deletes {@code dir} and everything below it, as far as it can: what cannot be deleted is left (and can be
     * deleted next time), and a missing directory is no error. Symbolic links are deleted, never followed.
     */
    public static void deleteQuietly(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left for next time
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            // best effort
        }
    }
}
