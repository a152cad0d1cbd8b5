package dev.lifeboat.redis.replication;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.redis.RedisTarget;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import dev.lifeboat.core.io.BulkInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Fetches an RDB from a running Redis the way a replica does, so the server's own fork writes it and nothing on
 * the server's disk changes: {@code AUTH}, {@code REPLCONF capa eof} (diskless streams are accepted),
 * {@code REPLCONF rdb-only 1} (Redis 7: no replication stream follows the RDB; ignored by older servers) and
 * {@code PSYNC ? -1}, which answers {@code +FULLRESYNC <replid> <offset>} and then the RDB, either as
 * {@code $<length>} and that many bytes, or, diskless, as {@code $EOF:<40-byte mark>}, the bytes, and the mark
 * again. Newlines the server sends as keepalives while it prepares the RDB are skipped.
 *
 * <p>Pointed at a replica, the fork happens on the replica and the primary is not touched. The returned stream
 * yields exactly the RDB's bytes and then ends; closing it closes the connection.
 */
public final class RdbTransfer implements AutoCloseable {
    static final int MARK = 40;

    private final Socket socket;
    private final String replicationId;
    private final long offset;
    private final InputStream body;

    private RdbTransfer(Socket socket, String replicationId, long offset, InputStream body) {
        this.socket = socket;
        this.replicationId = replicationId;
        this.offset = offset;
        this.body = body;
    }

    /** Connects, negotiates and waits (up to {@code waitMillis}) until the server starts sending the RDB. */
    public static RdbTransfer start(RedisTarget target, long waitMillis) {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(target.endpoint().host(), target.endpoint().port()), 5000);
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, waitMillis));
            InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
            OutputStream out = s.getOutputStream();
            if (target.password().isPresent()) {
                List<String> auth = target.user().isPresent() ? List.of("AUTH", target.user().get(), target.password().get())
                        : List.of("AUTH", target.password().get());
                expectOk(command(in, out, auth), "AUTH", target);
            }
            // Diskless streams end with a mark that is only recognisable when nothing follows it, which 'rdb-only'
            // (Redis 7) guarantees; older servers get a length-prefixed RDB instead.
            String info = bulk(in, command(in, out, List.of("INFO", "server")));
            int major = majorVersion(info);
            if (major >= 7) {
                expectOk(command(in, out, List.of("REPLCONF", "capa", "eof")), "REPLCONF capa eof", target);
                expectOk(command(in, out, List.of("REPLCONF", "rdb-only", "1")), "REPLCONF rdb-only", target);
            }
            String reply = command(in, out, List.of("PSYNC", "?", "-1"));
            if (!reply.startsWith("+FULLRESYNC ")) {
                throw refused(target, "PSYNC answered '" + reply + "'");
            }
            String[] parts = reply.split(" ");
            String replid = parts.length > 1 ? parts[1] : "";
            long offset = parts.length > 2 ? Long.parseLong(parts[2].trim()) : -1;
            String header = skipKeepalives(in);
            if (!header.startsWith("$")) {
                throw refused(target, "expected the RDB's length, got '" + header + "'");
            }
            InputStream body;
            if (header.startsWith("$EOF:")) {
                byte[] mark = header.substring(5).getBytes(StandardCharsets.US_ASCII);
                if (mark.length != MARK) {
                    throw refused(target, "an end mark of " + mark.length + " bytes");
                }
                body = new MarkedStream(in, mark);
            } else {
                body = new LengthStream(in, Long.parseLong(header.substring(1)));
            }
            return new RdbTransfer(s, replid, offset, body);
        } catch (IOException e) {
            closeQuietly(s);
            throw new LifeboatException(ErrorCode.SOURCE_UNREACHABLE, ErrorCode.SOURCE_UNREACHABLE.format("Redis at " + target.endpoint(),
                    e.getMessage()), null, e);
        } catch (RuntimeException e) {
            closeQuietly(s);
            throw e;
        }
    }

    /** The RDB's bytes, then end of stream; a connection lost before the end is an IOException. */
    public InputStream body() {
        return body;
    }

    /** The server's replication ID at the snapshot. */
    public String replicationId() {
        return replicationId;
    }

    /** The replication offset the RDB corresponds to, or -1 when the server did not say. */
    public long offset() {
        return offset;
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing an already broken connection
        }
    }

    private static LifeboatException refused(RedisTarget t, String what) {
        return new LifeboatException(ErrorCode.SOURCE_UNREACHABLE, ErrorCode.SOURCE_UNREACHABLE.format("an RDB from Redis at " + t.endpoint(), what),
                "Check that the server is Redis 6.0 or later and that this user may run SYNC/PSYNC (ACL +psync +replconf).");
    }

    private static void expectOk(String reply, String what, RedisTarget t) {
        if (!reply.startsWith("+")) {
            throw new LifeboatException(ErrorCode.SOURCE_UNREACHABLE, ErrorCode.SOURCE_UNREACHABLE.format("Redis at " + t.endpoint(),
                    what + " answered " + reply), "Check the password and user in the plan (resources.redis.NAME.password).");
        }
    }

    private static String command(InputStream in, OutputStream out, List<String> args) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(("*" + args.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
            b.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.write(bytes);
            b.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write(b.toByteArray());
        out.flush();
        return skipKeepalives(in);
    }

    private static String bulk(InputStream in, String header) throws IOException {
        if (!header.startsWith("$")) {
            return "";
        }
        int n = Integer.parseInt(header.substring(1));
        byte[] b = in.readNBytes(n + 2);
        return new String(b, 0, Math.min(n, b.length), StandardCharsets.UTF_8);
    }

    static int majorVersion(String info) {
        for (String l : info.split("\r?\n")) {
            if (l.startsWith("redis_version:")) {
                String v = l.substring("redis_version:".length()).trim();
                int dot = v.indexOf('.');
                try {
                    return Integer.parseInt(dot < 0 ? v : v.substring(0, dot));
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /** Reads one CRLF-terminated line, skipping the bare newlines servers send as keepalives. */
    private static String skipKeepalives(InputStream in) throws IOException {
        while (true) {
            String line = line(in);
            if (!line.isEmpty()) {
                return line;
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("the server closed the connection");
            }
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.UTF_8);
            }
            b.write(c);
        }
    }

    /** Exactly {@code remaining} bytes. */
    static final class LengthStream extends BulkInputStream {
        private final InputStream in;
        private long remaining;

        LengthStream(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new IOException("the server closed the connection with " + remaining + " bytes of the RDB still to come");
            }
            remaining -= n;
            return n;
        }
    }

    /** The bytes up to (not including) the end mark, holding back the last 40 bytes read until more arrive. */
    static final class MarkedStream extends BulkInputStream {
        private final InputStream in;
        private final byte[] mark;
        private final byte[] window;
        private int held;
        private boolean ended;

        MarkedStream(InputStream in, byte[] mark) {
            this.in = in;
            this.mark = mark;
            this.window = new byte[64 * 1024 + MARK];
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (!ended) {
                if (held > MARK) {
                    int n = Math.min(len, held - MARK);
                    System.arraycopy(window, 0, b, off, n);
                    System.arraycopy(window, n, window, 0, held - n);
                    held -= n;
                    return n;
                }
                int n = in.read(window, held, window.length - held);
                if (n < 0) {
                    throw new IOException("the server closed the connection before the RDB's end mark");
                }
                held += n;
                if (held >= MARK && Arrays.equals(window, held - MARK, held, mark, 0, MARK)) {
                    held -= MARK;
                    ended = true;
                }
            }
            if (held == 0) {
                return -1;
            }
            int n = Math.min(len, held);
            System.arraycopy(window, 0, b, off, n);
            System.arraycopy(window, n, window, 0, held - n);
            held -= n;
            return n;
        }
    }
}
