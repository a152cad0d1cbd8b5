package dev.lifeboat.postgres.backup;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks the page checksums of relation files as a base backup reads them, as pg_basebackup does: new (all-zero)
 * pages and pages changed after the backup started (their LSN is at or past the start LSN: replay from the
 * backup's WAL rewrites them) are skipped; any other page whose stored checksum differs is reported with its file
 * and block. Reporting never stops the backup.
 */
public final class ChecksumVerifier {
    private final long startLsn;
    private final AtomicLong pages = new AtomicLong();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

    public ChecksumVerifier(long startLsn) {
        this.startLsn = startLsn;
    }

    public long pagesChecked() {
        return pages.get();
    }

    public List<String> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    /** {@code in}, checked page by page as it is read. */
    public InputStream wrap(String rel, InputStream in) {
        return wrap(rel, null, in);
    }

    /**
     * As {@link #wrap(String, InputStream)}; a page that fails is read again from {@code file} (when given) before
     * it counts, as pg_basebackup does: a read racing PostgreSQL's 8 KiB write can see the old header with new
     * content (a torn page, legal during a backup: replay rewrites the page from its full-page image). Only a page
     * whose re-read still predates the backup and still fails is reported.
     */
    public InputStream wrap(String rel, java.nio.file.Path file, InputStream in) {
        long firstBlock = PageChecksum.firstBlock(rel);
        return new FilterInputStream(in) {
            private final byte[] page = new byte[PageChecksum.PAGE];
            private int filled;
            private long block = PageChecksum.firstBlock(rel);

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                for (int i = 0; i < n; ) {
                    int take = Math.min(n - i, PageChecksum.PAGE - filled);
                    System.arraycopy(b, off + i, page, filled, take);
                    filled += take;
                    i += take;
                    if (filled == PageChecksum.PAGE) {
                        check(rel, block++);
                        filled = 0;
                    }
                }
                return n;
            }

            private void check(String file, long blockNumber) {
                if (PageChecksum.isNew(page, 0) || Long.compareUnsigned(PageChecksum.lsn(page, 0), startLsn) >= 0) {
                    return;
                }
                pages.incrementAndGet();
                int expected = PageChecksum.compute(page, 0, blockNumber);
                int stored = PageChecksum.stored(page, 0);
                if (expected != stored && !passesOnReRead(blockNumber)) {
                    failures.add(String.format("%s block %d (stored checksum %d, computed %d)", file, blockNumber, stored, expected));
                }
            }

            private boolean passesOnReRead(long blockNumber) {
                if (file == null) {
                    return false;
                }
                byte[] again = new byte[PageChecksum.PAGE];
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(again);
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
                    long at = (blockNumber - firstBlock) * PageChecksum.PAGE;
                    while (buf.hasRemaining() && ch.read(buf, at + buf.position()) > 0) {
                        // read the whole page
                    }
                } catch (IOException e) {
                    return false; // gone or unreadable now: the failure as read stands
                }
                if (buf.hasRemaining()) {
                    return true; // truncated meanwhile: the relation shrank, and replay brings the file to its state
                }
                return PageChecksum.isNew(again, 0) || Long.compareUnsigned(PageChecksum.lsn(again, 0), startLsn) >= 0
                        || PageChecksum.compute(again, 0, blockNumber) == PageChecksum.stored(again, 0);
            }
        };
    }
}
