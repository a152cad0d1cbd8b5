package dev.lifeboat.repository.files;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One restore at a time into a directory: a file {@value #NAME} in the target, held under an exclusive kernel lock
 * while the restore writes. A second restore (another terminal, a retried job) is refused instead of mixing two
 * snapshots' files; the kernel drops the lock when its process dies, so a killed restore never blocks the next.
 * {@link #release()} deletes the file before the restore sets the target's own time and mode, so nothing of it is
 * left in the restored tree.
 */
final class RestoreLock {
    /** The lock file's name in the target; a delta restore never removes it as "not in the snapshot". */
    static final String NAME = ".lifeboat-restore.lock";

    private final Path file;
    private final FileChannel channel;

    private RestoreLock(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Takes the lock in {@code target} (an existing directory). */
    static RestoreLock take(Path target) {
        Path file = target.resolve(NAME);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        FileLock held;
        try {
            held = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            held = null; // this process restores there already
        } catch (IOException e) {
            close(channel);
            throw new UncheckedIOException(e);
        }
        if (held == null) {
            String by = owner(file);
            close(channel);
            throw new LifeboatException(ErrorCode.TARGET_IN_USE, "another restore is writing into " + target + (by.isEmpty() ? "" : " (pid " + by + ")"),
                    "Wait for it to finish, or restore into another directory.");
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            // the pid is for the message only
        }
        return new RestoreLock(file, channel);
    }

    private boolean released;

    /** Deletes the lock file and drops the lock; once (a later call must not delete the next restore's file). */
    void release() {
        if (released) {
            return;
        }
        released = true;
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // left behind: the next restore takes it over (the kernel lock is gone)
        } finally {
            close(channel);
        }
    }

    private static String owner(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static void close(FileChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
