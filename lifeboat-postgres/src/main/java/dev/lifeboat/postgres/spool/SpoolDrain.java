package dev.lifeboat.postgres.spool;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.postgres.wal.WalPageHeader;
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
 * The agent's side of archiving through {@code archive_command}, with no JVM per segment. PostgreSQL's command
 * ({@link #archiveCommand}) copies the finished file into a spool directory and then waits until the agent has
 * stored it in the repository and left a {@code FILE.done} marker; only then does it return success, so PostgreSQL
 * recycles a segment only once the repository holds it, and the spool copy itself needs no fsync. (A copy, not a
 * hard link: PostgreSQL recycles a segment by renaming and overwriting its file, which a link would follow.) If the agent does not answer within {@link #WAIT_SECONDS}, the command fails and
 * PostgreSQL retries later.
 *
 * <p>When the agent can read the cluster's {@code pg_wal} (it runs on the database host), it also reads ahead:
 * segments PostgreSQL has marked {@code .ready} are stored straight from {@code pg_wal}, {@link #PARALLEL} at a
 * time, and marked done before PostgreSQL's archiver even asks, as pgBackRest's asynchronous archiving does. A file
 * is marked done only after the repository holds it, so a crash at any point leaves it to be stored again.
 */
public final class SpoolDrain implements Runnable {
    private final Path spool;
    private final WalArchive archive;
    private final AtomicBoolean stop;
    private final Consumer<String> events;
    /** Files stored at once. */
    static final int PARALLEL = 2;
    /** How long archive_command waits for the agent before failing (PostgreSQL then retries). */
    public static final int WAIT_SECONDS = 300;
    private static final java.util.regex.Pattern SEGMENT = java.util.regex.Pattern.compile("[0-9A-F]{24}");
    private static final java.util.regex.Pattern PARTIAL = java.util.regex.Pattern.compile("[0-9A-F]{24}\\.partial");
    private final Optional<Path> pgWal;
    private final java.util.concurrent.atomic.AtomicLong stored = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();

    public SpoolDrain(Path spool, WalArchive archive, AtomicBoolean stop, Consumer<String> events) {
        this(spool, archive, stop, events, Optional.empty());
    }

    /**
     * With {@code pgWal}, the cluster's WAL directory to read ahead from. The segment size is read from each
     * segment's page header.
     */
    public SpoolDrain(Path spool, WalArchive archive, AtomicBoolean stop, Consumer<String> events, Optional<Path> pgWal) {
        this.pgWal = pgWal.filter(p -> Files.isReadable(p.resolve("archive_status")));
        if (pgWal.isPresent() && this.pgWal.isEmpty()) {
            events.accept("cannot read " + pgWal.get().resolve("archive_status") + ": no read-ahead, segments are stored as archive_command hands them over");
        }
        this.spool = spool;
        this.archive = archive;
        this.stop = stop;
        this.events = events;
    }

    /** The archive_command that hands segments to the agent through {@code spool}. */
    public static String archiveCommand(Path spool) {
        String f = spool.toAbsolutePath() + "/%f";
        return "[ -e " + f + ".done ] || { cp %p " + f + ".tmp && mv -f " + f + ".tmp " + f + "; }"
                + "; i=0; until [ -e " + f + ".done ]; do i=$((i+1)); [ $i -gt " + WAIT_SECONDS * 10 + " ] && exit 1; sleep 0.1; done; rm -f "
                + f + ".done";
    }

    @Override
    public void run() {
        while (!stop.get()) {
            try {
                if (drainOnce() == 0) {
                    Thread.sleep(200); // idle; while there is work, the next round starts at once
                }
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
                String name = p.getFileName().toString();
                if (name.endsWith(".done")) {
                    forgetStale(p); // a marker no command consumed (a file stored twice): kept a while, then removed
                } else if (!name.endsWith(".tmp")) {
                    files.add(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.sort(null);
        files.addAll(readAhead(files));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(PARALLEL, r -> {
            Thread t = new Thread(r, "lifeboat-spool");
            t.setDaemon(true);
            return t;
        });
        try {
            List<java.util.concurrent.Future<Boolean>> jobs = new ArrayList<>();
            for (Path p : files) {
                jobs.add(pool.submit(() -> store(p)));
            }
            int n = 0;
            RuntimeException failed = null;
            for (java.util.concurrent.Future<Boolean> job : jobs) {
                try {
                    n += job.get() ? 1 : 0;
                } catch (java.util.concurrent.ExecutionException e) {
                    // The others still finish: each file is deleted only once stored, so a failure loses nothing.
                    failed = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while storing spooled WAL", e);
                }
            }
            if (failed != null) {
                throw failed;
            }
            return n;
        } finally {
            pool.shutdown();
        }
    }

    private static void forgetStale(Path done) {
        try {
            if (Files.getLastModifiedTime(done).toInstant().isBefore(java.time.Instant.now().minusSeconds(2L * WAIT_SECONDS))) {
                Files.deleteIfExists(done);
            }
        } catch (IOException e) {
            // gone already, or unreadable: the next round tries again
        }
    }

    /** Segments pg_wal marks ready that neither the spool holds nor are marked done yet, oldest first. */
    private List<Path> readAhead(List<Path> spooled) {
        if (pgWal.isEmpty()) {
            return List.of();
        }
        List<Path> ahead = new ArrayList<>();
        java.util.Set<String> inSpool = new java.util.HashSet<>();
        spooled.forEach(p -> inSpool.add(p.getFileName().toString()));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(pgWal.get().resolve("archive_status"), "*.ready")) {
            for (Path ready : ds) {
                String name = ready.getFileName().toString();
                name = name.substring(0, name.length() - ".ready".length());
                if (SEGMENT.matcher(name).matches() && !inSpool.contains(name) && !Files.exists(spool.resolve(name + ".done"))) {
                    ahead.add(pgWal.get().resolve(name));
                }
            }
        } catch (IOException e) {
            events.accept("read-ahead from " + pgWal.get() + " failed: " + e.getMessage());
            return List.of();
        }
        ahead.sort(null);
        return ahead.subList(0, Math.min(ahead.size(), 4 * PARALLEL)); // a few at a time: the spool keeps priority
    }

    /**
     * Stores one file (from the spool or read ahead from pg_wal), removes the spool's copy, then marks it done for
     * the waiting archive_command; false for a file recovery does not need (marked done, not stored).
     */
    private boolean store(Path p) {
        long t0 = System.nanoTime();
        String name = p.getFileName().toString();
        boolean fromSpool = p.getParent().equals(spool);
        try {
            if (fromSpool && Files.exists(spool.resolve(name + ".done"))) {
                Files.deleteIfExists(p); // read ahead and stored already: the command only waits for the marker
                return false;
            }
            boolean needed = true;
            if (PARTIAL.matcher(name).matches()) {
                // A promoted standby archives the old timeline's last segment as .partial: valid only up to the
                // switch, and the new timeline's first segment holds the same WAL. Storing it as that segment
                // could replace the complete one the old primary archived; recovery never reads it.
                needed = false;
                events.accept(name + ": not stored (a promoted standby's copy of the old timeline's last segment; the new timeline's "
                        + "first segment holds that WAL up to the switch)");
            } else if (SEGMENT.matcher(name).matches()) {
                byte[] data;
                try {
                    data = Files.readAllBytes(p);
                } catch (java.nio.file.NoSuchFileException gone) {
                    return false; // read ahead, but archived and recycled meanwhile: nothing to do
                }
                // The segment size is the cluster's (initdb --wal-segsize), written in every segment's first page.
                WalPageHeader header = WalPageHeader.of(data).orElseThrow(() -> LifeboatException.of(ErrorCode.WAL_INVALID,
                        "not storing " + p + ": it does not start with a WAL segment's page header"));
                WalSegment seg = WalSegment.parse(name, header.segmentSize()).orElseThrow(() -> LifeboatException.of(ErrorCode.WAL_INVALID,
                        "not storing " + p + ": its name is not a segment of " + header.segmentSize() + " bytes"));
                archive.putSegment(seg, data);
            } else if (name.matches("[0-9A-F]{8}\\.history")) {
                archive.putHistory(Integer.parseInt(name.substring(0, 8), 16), Files.readString(p, StandardCharsets.UTF_8));
            } else {
                needed = false; // backup history files and anything else PostgreSQL archives are not needed for recovery
            }
            if (fromSpool) {
                Files.delete(p);
            }
            Files.write(spool.resolve(name + ".done"), new byte[0]);
            if (!needed) {
                return false;
            }
            stored.incrementAndGet();
            nanos.addAndGet(System.nanoTime() - t0);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Files stored so far, and the average milliseconds each took (read, compress, encrypt, store, delete). */
    public String status() {
        long n = stored.get();
        return "spool " + spool + ": " + n + " file(s) stored" + (n > 0 ? String.format(", %.1f ms each", nanos.get() / 1e6 / n) : "");
    }

    public long stored() {
        return stored.get();
    }

    public double millisPerFile() {
        long n = stored.get();
        return n == 0 ? 0 : nanos.get() / 1e6 / n;
    }
}
