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

    /**
     * Deletes {@code p} and, for a directory, everything below it; symbolic links are deleted, never followed. Any
     * failure is thrown (unlike {@link #deleteQuietly}); a missing {@code p} is no error. Returns how many entries
     * were deleted.
     */
    public static long delete(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        long[] n = {0};
        Files.walkFileTree(p, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                n[0]++;
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                n[0]++;
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return n[0];
    }
}
