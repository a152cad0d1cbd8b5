package dev.lifeboat.repository.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Builds directory trees for backup tests and describes them for comparison after restore. */
public final class TreeFixture {
    private TreeFixture() {
    }

    /** A tree of {@code files} files of about {@code fileSize} bytes, half text-like, half random, plus edge cases. */
    public static Path create(Path root, int files, int fileSize, long seed) {
        Random r = new Random(seed);
        try {
            Files.createDirectories(root.resolve("etc/app"));
            Files.createDirectories(root.resolve("empty/nested"));
            Files.createDirectories(root.resolve("data"));
            for (int i = 0; i < files; i++) {
                Path f = root.resolve("data/part-" + i + (i % 2 == 0 ? ".log" : ".bin"));
                Files.write(f, i % 2 == 0 ? text(r, fileSize) : bytes(r, fileSize));
            }
            Files.writeString(root.resolve("etc/app/config.yaml"), "replicas: 3\nimage: learning-assistant:1.4.2\n");
            Files.write(root.resolve("etc/empty-file"), new byte[0]);
            Path secret = root.resolve("etc/app/secret.env");
            Files.writeString(secret, "DB_PASSWORD=not-a-real-one\n");
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            Path script = root.resolve("etc/run.sh");
            Files.writeString(script, "#!/bin/sh\necho hi\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
            Files.createSymbolicLink(root.resolve("etc/current"), Path.of("app/config.yaml"));
            Files.createSymbolicLink(root.resolve("dangling"), Path.of("/nonexistent/target"));
            Files.writeString(root.resolve("etc/ünïcødé name.txt"), "名前\n");
            Files.setLastModifiedTime(root.resolve("etc/app/config.yaml"), FileTime.fromMillis(1_600_000_000_123L));
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code n} random bytes: content that does not compress. */
    public static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** {@code n} bytes of log-like text. */
    public static byte[] text(Random r, int n) {
        StringBuilder sb = new StringBuilder(n + 100);
        while (sb.length() < n) {
            sb.append("2026-11-23T10:").append(r.nextInt(60)).append(" learner=").append(r.nextInt(100_000))
                    .append(" lesson=").append(r.nextInt(500)).append(" event=progress score=").append(r.nextInt(101)).append('\n');
        }
        return sb.substring(0, n).getBytes(StandardCharsets.UTF_8);
    }

    /** Path → "type mode mtime sha256/target" for every entry below root. */
    public static Map<String, String> describe(Path root) {
        Map<String, String> out = new TreeMap<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) throws IOException {
                    out.put(rel(root, dir), "dir " + mode(dir) + (dir.equals(root) ? "" : " " + a.lastModifiedTime().toMillis()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    if (a.isSymbolicLink()) {
                        out.put(rel(root, f), "link " + Files.readSymbolicLink(f));
                    } else {
                        out.put(rel(root, f), "file " + mode(f) + " " + a.lastModifiedTime().toMillis() + " " + sha(Files.readAllBytes(f)));
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static String rel(Path root, Path p) {
        return root.relativize(p).toString();
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static String sha(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
