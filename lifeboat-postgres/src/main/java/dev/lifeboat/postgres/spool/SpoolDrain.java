package dev.lifeboat.postgres.spool;

import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.postgres.wal.WalSegment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The agent's side of archiving through {@code archive_command}: PostgreSQL's command only copies each finished
 * segment into a spool directory ({@link #archiveCommand}: copy to a temporary name, sync, rename — no JVM per
 * segment), and the agent stores every complete file it finds there in the repository, then deletes it. A file
 * is deleted only after the repository holds it, so a crash at any point leaves it to be stored again.
 */
public final class SpoolDrain implements Runnable {
    private final Path spool;
    private final WalArchive archive;
    private final long segmentSize;
    private final AtomicBoolean stop;
    private final Consumer<String> events;
    private long stored;
    private long nanos;

    public SpoolDrain(Path spool, WalArchive archive, long segmentSize, AtomicBoolean stop, Consumer<String> events) {
        this.spool = spool;
        this.archive = archive;
        this.segmentSize = segmentSize;
        this.stop = stop;
        this.events = events;
    }

    /** The archive_command that hands segments to the agent through {@code spool}. */
    public static String archiveCommand(Path spool) {
        String d = spool.toAbsolutePath().toString();
        return "cp %p " + d + "/%f.tmp && sync " + d + "/%f.tmp && mv " + d + "/%f.tmp " + d + "/%f";
    }

    @Override
    public void run() {
        while (!stop.get()) {
            try {
                drainOnce();
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                events.accept("spool " + spool + ": " + e.getMessage() + "; retrying");
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        drainOnce();
    }

    /** Stores and removes every complete file in the spool, oldest segment first; returns how many. */
    public int drainOnce() {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(spool)) {
            for (Path p : ds) {
                if (!p.getFileName().toString().endsWith(".tmp")) {
                    files.add(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.sort(null);
        int n = 0;
        for (Path p : files) {
            long t0 = System.nanoTime();
            String name = p.getFileName().toString();
            try {
                Optional<WalSegment> seg = WalSegment.parse(name, segmentSize);
                if (seg.isPresent()) {
                    archive.putSegment(seg.get(), Files.readAllBytes(p));
                } else if (name.matches("[0-9A-F]{8}\\.history")) {
                    archive.putHistory(Integer.parseInt(name.substring(0, 8), 16), Files.readString(p, StandardCharsets.UTF_8));
                } else {
                    continue; // backup history files and anything else PostgreSQL archives are not needed for recovery
                }
                Files.delete(p);
                stored++;
                nanos += System.nanoTime() - t0;
                n++;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return n;
    }

    /** Files stored so far, and the average milliseconds each took (read, compress, encrypt, store, delete). */
    public String status() {
        return "spool " + spool + ": " + stored + " file(s) stored" + (stored > 0 ? String.format(", %.1f ms each", nanos / 1e6 / stored) : "");
    }

    public long stored() {
        return stored;
    }

    public double millisPerFile() {
        return stored == 0 ? 0 : nanos / 1e6 / stored;
    }
}
