package dev.lifeboat.redis.rdb;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads an RDB stream from start to end in one pass, without building Redis objects: every key is reported to a
 * {@link Visitor} with its value exactly as serialized (so it can be replayed with {@code RESTORE}), and the file's
 * own CRC-64 is checked at the end. Understands RDB versions 9 to 12 (Redis 6.0 to 7.4); a newer version is an
 * {@link ErrorCode#RDB_VERSION_UNSUPPORTED} naming it, and a truncated or damaged stream an
 * {@link ErrorCode#RDB_INVALID} naming the offset and the key it was in. A caller that must not act on a damaged
 * file reads it once to the end before acting.
 */
public final class RdbReader {
    /** Receives what the reader finds, in file order. */
    public interface Visitor {
        /** One key; its value is null unless {@link #wantsValues()}. */
        void entry(RdbEntry entry);

        /** Whether entries should carry their serialized values (costs memory per key, not per file). */
        default boolean wantsValues() {
            return true;
        }

        /** A function library's source code (Redis 7 functions, opcode FUNCTION2). */
        default void function(byte[] code) {
        }
    }

    private final RdbInput in;
    private boolean keepValues;
    private int lengthEncoding;
    /** Set by {@link #rawLength} when it read a special-encoding header instead of a length (any 64-bit value is a valid length). */
    private boolean encoded;

    public RdbReader(InputStream in) {
        this.in = new RdbInput(in);
    }

    /** Reads the whole stream, calling {@code visitor} per key; returns the summary once the checksum is checked. */
    public RdbSummary read(Visitor visitor) {
        keepValues = visitor.wantsValues();
        int version = header();
        Map<String, String> aux = new LinkedHashMap<>();
        Map<Integer, Long> keys = new TreeMap<>();
        Map<String, Long> types = new TreeMap<>();
        long expires = 0;
        int functions = 0;
        int db = 0;
        long expireAt = -1;
        while (true) {
            in.context("the opcode at offset " + in.offset());
            int op = in.u8();
            switch (op) {
                case RdbFormat.OP_EOF -> {
                    String checksum = footer();
                    return new RdbSummary(version, aux, keys, expires, types, functions, checksum, in.offset());
                }
                case RdbFormat.OP_SELECTDB -> db = (int) length();
                case RdbFormat.OP_RESIZEDB -> {
                    length();
                    length();
                }
                case RdbFormat.OP_AUX -> aux.put(text(string()), text(string()));
                case RdbFormat.OP_EXPIRETIME_MS -> expireAt = in.littleEndian(8);
                case RdbFormat.OP_EXPIRETIME -> expireAt = in.littleEndian(4) * 1000;
                case RdbFormat.OP_IDLE -> length();
                case RdbFormat.OP_FREQ -> in.u8();
                case RdbFormat.OP_SLOT_INFO -> {
                    length();
                    length();
                    length();
                }
                case RdbFormat.OP_FUNCTION2 -> {
                    functions++;
                    visitor.function(string());
                }
                case RdbFormat.OP_FUNCTION_PRE_GA -> throw unsupported("a Redis 7.0 release-candidate function record");
                case RdbFormat.OP_MODULE_AUX -> {
                    length();
                    length();
                    length();
                    moduleData();
                }
                default -> {
                    if (!isValueType(op)) {
                        throw invalid("unknown opcode " + op + " at offset " + (in.offset() - 1));
                    }
                    in.context("a key name in db " + db);
                    byte[] key = string();
                    in.context("the value of key '" + printable(key) + "' (" + RdbFormat.typeName(op) + ")");
                    byte[] value = null;
                    if (keepValues) {
                        in.startCapture();
                    }
                    value(op);
                    if (keepValues) {
                        value = in.endCapture();
                    }
                    keys.merge(db, 1L, Long::sum);
                    types.merge(RdbFormat.typeName(op), 1L, Long::sum);
                    if (expireAt >= 0) {
                        expires++;
                    }
                    visitor.entry(new RdbEntry(db, key, op, value, expireAt));
                    expireAt = -1;
                }
            }
        }
    }

    /**
     * For values Redis serializes in hash-table order (type SET and HASH), which differs between two servers holding
     * the same data: the elements (hash fields and values as length-prefixed pairs), sorted, so that two such values
     * compare equal exactly when they hold the same data. Empty for every other type.
     */
    public static java.util.Optional<java.util.List<String>> unorderedElements(int type, byte[] value) {
        if (type != RdbFormat.SET && type != RdbFormat.HASH) {
            return java.util.Optional.empty();
        }
        RdbReader r = new RdbReader(new java.io.ByteArrayInputStream(value));
        long n = r.length();
        java.util.List<String> out = new java.util.ArrayList<>();
        for (long i = 0; i < n; i++) {
            String e = java.util.HexFormat.of().formatHex(r.string());
            if (type == RdbFormat.HASH) {
                e = e.length() + ":" + e + "=" + java.util.HexFormat.of().formatHex(r.string());
            }
            out.add(e);
        }
        java.util.Collections.sort(out);
        return java.util.Optional.of(out);
    }

    private int header() {
        byte[] magic = new byte[9];
        for (int i = 0; i < 9; i++) {
            int b = in.maybeU8();
            if (b < 0) {
                throw invalid("the stream ends after " + i + " bytes: an RDB starts with 'REDIS' and a 4-digit version");
            }
            magic[i] = (byte) b;
        }
        String text = new String(magic, StandardCharsets.US_ASCII);
        if (!text.startsWith("REDIS")) {
            throw invalid("this is not an RDB file: it starts with '" + printable(magic) + "', not 'REDIS'");
        }
        int version;
        try {
            version = Integer.parseInt(text.substring(5));
        } catch (NumberFormatException e) {
            throw invalid("the RDB version '" + text.substring(5) + "' is not a number");
        }
        if (version < RdbFormat.MIN_VERSION || version > RdbFormat.MAX_VERSION) {
            throw new LifeboatException(ErrorCode.RDB_VERSION_UNSUPPORTED, "RDB version " + version + " (written by "
                    + RdbFormat.redisRelease(version) + ") is not supported; Lifeboat reads versions " + RdbFormat.MIN_VERSION
                    + " to " + RdbFormat.MAX_VERSION, null);
        }
        return version;
    }

    private String footer() {
        long computed = in.crc();
        in.stopCrc();
        in.context("the checksum at the end");
        long stored = in.littleEndian(8);
        if (!in.atEnd()) {
            throw invalid("bytes follow the end of the RDB at offset " + in.offset());
        }
        if (stored == 0) {
            return "disabled";
        }
        if (stored != computed) {
            throw invalid(String.format("the RDB checksum does not match (stored %016x, computed %016x): the file is damaged",
                    stored, computed));
        }
        return "verified";
    }

    private static boolean isValueType(int t) {
        return (t >= 0 && t <= 7) || (t >= 9 && t <= RdbFormat.HASH_LISTPACK_EX);
    }

    private void value(int type) {
        switch (type) {
            case RdbFormat.STRING, RdbFormat.HASH_ZIPMAP, RdbFormat.LIST_ZIPLIST, RdbFormat.SET_INTSET, RdbFormat.ZSET_ZIPLIST,
                 RdbFormat.HASH_ZIPLIST, RdbFormat.HASH_LISTPACK, RdbFormat.ZSET_LISTPACK, RdbFormat.SET_LISTPACK,
                 RdbFormat.HASH_LISTPACK_EX_PRE_GA -> skipString();
            case RdbFormat.LIST, RdbFormat.SET, RdbFormat.LIST_QUICKLIST -> strings(length());
            case RdbFormat.HASH -> strings(2 * length());
            case RdbFormat.ZSET -> {
                long n = length();
                for (long i = 0; i < n; i++) {
                    skipString();
                    int len = in.u8();
                    if (len < 253) {
                        in.skip(len);
                    }
                }
            }
            case RdbFormat.ZSET_2 -> {
                long n = length();
                for (long i = 0; i < n; i++) {
                    skipString();
                    in.skip(8);
                }
            }
            case RdbFormat.LIST_QUICKLIST_2 -> {
                long n = length();
                for (long i = 0; i < n; i++) {
                    length();
                    skipString();
                }
            }
            case RdbFormat.HASH_LISTPACK_EX -> {
                in.skip(8);
                skipString();
            }
            case RdbFormat.HASH_METADATA, RdbFormat.HASH_METADATA_PRE_GA -> {
                if (type == RdbFormat.HASH_METADATA) {
                    in.skip(8);
                }
                long n = length();
                for (long i = 0; i < n; i++) {
                    length();
                    skipString();
                    skipString();
                }
            }
            case RdbFormat.STREAM_LISTPACKS, RdbFormat.STREAM_LISTPACKS_2, RdbFormat.STREAM_LISTPACKS_3 -> stream(type);
            case RdbFormat.MODULE_2 -> {
                length();
                moduleData();
            }
            case RdbFormat.MODULE_PRE_GA -> throw unsupported("a module value of the pre-release module format");
            default -> throw invalid("unknown value type " + type);
        }
    }

    private void stream(int type) {
        strings(2 * length());
        length();
        length();
        length();
        if (type >= RdbFormat.STREAM_LISTPACKS_2) {
            for (int i = 0; i < 5; i++) {
                length();
            }
        }
        long groups = length();
        for (long g = 0; g < groups; g++) {
            skipString();
            length();
            length();
            if (type >= RdbFormat.STREAM_LISTPACKS_2) {
                length();
            }
            long pel = length();
            for (long p = 0; p < pel; p++) {
                in.skip(16 + 8);
                length();
            }
            long consumers = length();
            for (long c = 0; c < consumers; c++) {
                skipString();
                in.skip(type >= RdbFormat.STREAM_LISTPACKS_3 ? 16 : 8);
                in.skip(16 * length());
            }
        }
    }

    private void moduleData() {
        while (true) {
            long opcode = length();
            switch ((int) opcode) {
                case 0 -> {
                    return;
                }
                case 1, 2 -> length();
                case 3 -> in.skip(4);
                case 4 -> in.skip(8);
                case 5 -> skipString();
                default -> throw invalid("unknown module data opcode " + opcode);
            }
        }
    }

    private void strings(long n) {
        for (long i = 0; i < n; i++) {
            skipString();
        }
    }

    /** Reads a length; for an encoded string header sets {@link #encoded} and the encoding in lengthEncoding. */
    private long rawLength() {
        encoded = false;
        int first = in.u8();
        switch (first >>> 6) {
            case 0:
                return first & 0x3f;
            case 1:
                return ((first & 0x3f) << 8) | in.u8();
            case 2:
                if (first == 0x80) {
                    return in.bigEndian(4);
                }
                if (first == 0x81) {
                    return in.bigEndian(8);
                }
                throw invalid("bad length byte " + first);
            default:
                lengthEncoding = first & 0x3f;
                encoded = true;
                return 0;
        }
    }

    private long length() {
        long n = rawLength();
        if (encoded) {
            throw invalid("an encoded string where a length belongs");
        }
        return n;
    }

    private void skipString() {
        long n = rawLength();
        if (!encoded) {
            in.skip(n);
            return;
        }
        switch (lengthEncoding) {
            case 0 -> in.skip(1);
            case 1 -> in.skip(2);
            case 2 -> in.skip(4);
            case 3 -> {
                long compressed = length();
                length();
                in.skip(compressed);
            }
            default -> throw invalid("unknown string encoding " + lengthEncoding);
        }
    }

    /** Reads a string's bytes (integers as decimal text, LZF expanded). */
    private byte[] string() {
        long n = rawLength();
        if (!encoded) {
            return in.bytes(checkedSize(n));
        }
        return switch (lengthEncoding) {
            case 0 -> Long.toString((byte) in.u8()).getBytes(StandardCharsets.US_ASCII);
            case 1 -> Long.toString((short) in.littleEndian(2)).getBytes(StandardCharsets.US_ASCII);
            case 2 -> Long.toString((int) in.littleEndian(4)).getBytes(StandardCharsets.US_ASCII);
            case 3 -> {
                int compressed = checkedSize(length());
                int length = checkedSize(length());
                byte[] out = Lzf.decompress(in.bytes(compressed), length);
                if (out == null) {
                    throw invalid("an LZF-compressed string does not decompress");
                }
                yield out;
            }
            default -> throw invalid("unknown string encoding " + lengthEncoding);
        };
    }

    private int checkedSize(long n) {
        if (n > 512L * 1024 * 1024) {
            throw invalid("a string of " + n + " bytes, larger than Redis's 512 MB limit");
        }
        return (int) n;
    }

    private LifeboatException invalid(String what) {
        return new LifeboatException(ErrorCode.RDB_INVALID, what + " (in " + describe() + ")", null);
    }

    private String describe() {
        return in.context() + ", offset " + in.offset();
    }

    /**
     * Something this reader does not read, unless the file is damaged: one changed byte can turn a value type into
     * a legacy code, so the rest of the file is read and its checksum decides which error it is.
     */
    private LifeboatException unsupported(String what) {
        String where = describe();
        if (!in.restMatchesChecksum()) {
            return new LifeboatException(ErrorCode.RDB_INVALID, "the RDB is damaged: " + what + " where a valid file would not have it (in "
                    + where + "), and its CRC-64 does not match its content", null);
        }
        return new LifeboatException(ErrorCode.RDB_VERSION_UNSUPPORTED, "the RDB contains " + what + ", which Lifeboat does not read", null);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static String printable(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 64); i++) {
            int c = b[i] & 0xff;
            s.append(c >= 32 && c < 127 ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return b.length > 64 ? s + "..." : s.toString();
    }
}
