package dev.lifeboat.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes files that look like PostgreSQL heap segments of a learning-progress table: 8 KiB pages with a page
 * header, line pointers growing from the front, tuples (23-byte header, ids, scores, timestamps, a UUID and text
 * from a vocabulary) growing from the back, and the free space between them zeroed, about 10 % per page. Such pages
 * compress about 2 to 3 times with zstd, like a real database and unlike pgbench's nearly empty rows.
 */
public final class HeapPages {
    public static final int PAGE = 8192;
    private static final String[] WORDS = words();

    private HeapPages() {
    }

    private static String[] words() {
        Random r = new Random(1);
        String[] w = new String[2000];
        String letters = "etaoinshrdlucmfwypvbgkjqxz";
        for (int i = 0; i < w.length; i++) {
            int len = 3 + r.nextInt(8);
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < len; j++) {
                b.append(letters.charAt((int) Math.min(letters.length() - 1, Math.abs(r.nextGaussian()) * 7)));
            }
            w[i] = b.toString();
        }
        return w;
    }

    /** Writes {@code bytes} of pages into files of at most {@code segment} bytes under {@code dir}. */
    public static void write(Path dir, long bytes, long segment, long seed) throws IOException {
        Files.createDirectories(dir);
        Random r = new Random(seed);
        long written = 0;
        int file = 0;
        long tupleId = 1;
        long time = 1_700_000_000_000_000L;
        while (written < bytes) {
            Path f = dir.resolve(file == 0 ? "16384" : "16384." + file);
            try (OutputStream out = Files.newOutputStream(f)) {
                for (long inFile = 0; inFile < segment && written < bytes; inFile += PAGE, written += PAGE) {
                    ByteBuffer p = ByteBuffer.allocate(PAGE).order(ByteOrder.LITTLE_ENDIAN);
                    int lower = 24;
                    int upper = PAGE;
                    int fill = PAGE - PAGE / 10;
                    while (true) {
                        int text = 20 + r.nextInt(60);
                        int len = 23 + 1 + 4 + 4 + 2 + 8 + 16 + 1 + text;
                        len = (len + 7) & ~7;
                        if (upper - len < lower + 4 || PAGE - upper + lower > fill) {
                            break;
                        }
                        upper -= len;
                        p.putInt(lower, (upper & 0x7fff) | (1 << 15) | (len << 17));
                        lower += 4;
                        int t = upper;
                        p.putInt(t, (int) (tupleId & 0xffffffffL)); // xmin
                        p.putInt(t + 4, 0); // xmax
                        p.putShort(t + 18, (short) 7); // natts
                        p.put(t + 22, (byte) 24); // t_hoff
                        int d = t + 24;
                        p.putInt(d, (int) tupleId);
                        p.putInt(d + 4, r.nextInt(5000));
                        p.putShort(d + 8, (short) r.nextInt(101));
                        time += r.nextInt(2_000_000);
                        p.putLong(d + 10, time);
                        p.putLong(d + 18, r.nextLong());
                        p.putLong(d + 26, r.nextLong());
                        p.put(d + 34, (byte) ((text + 1) << 1 | 1));
                        StringBuilder s = new StringBuilder();
                        while (s.length() < text) {
                            s.append(WORDS[(int) Math.min(WORDS.length - 1, Math.abs(r.nextGaussian()) * 300)]).append(' ');
                        }
                        byte[] tb = s.substring(0, text).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                        p.put(d + 35, tb, 0, Math.min(tb.length, PAGE - d - 35));
                        tupleId++;
                    }
                    p.putLong(0, time); // pd_lsn
                    p.putShort(8, (short) r.nextInt(65536)); // pd_checksum
                    p.putShort(12, (short) lower);
                    p.putShort(14, (short) upper);
                    p.putShort(16, (short) PAGE);
                    p.putShort(18, (short) (PAGE | 4));
                    out.write(p.array());
                }
            }
            file++;
        }
    }

    /** Changes {@code fraction} of the pages in place: a new tuple version in a page, as an UPDATE would. */
    public static long touch(Path dir, double fraction, long seed) throws IOException {
        Random r = new Random(seed);
        long changed = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
                    long pages = ch.size() / PAGE;
                    for (long i = 0; i < pages; i++) {
                        if (r.nextDouble() < fraction) {
                            ByteBuffer b = ByteBuffer.allocate(64);
                            r.nextBytes(b.array());
                            ch.write(b, i * PAGE + 1024 + r.nextInt(6000));
                            changed += PAGE;
                        }
                    }
                }
            }
        }
        return changed;
    }
}
