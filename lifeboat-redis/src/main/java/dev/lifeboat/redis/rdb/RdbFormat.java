package dev.lifeboat.redis.rdb;

/**
 * Constants of the RDB file format (Redis's {@code rdb.h}): value types, opcodes and the versions Lifeboat reads.
 * RDB 9 is Redis 6.0/6.2, 10 is 7.0, 11 is 7.2 and 12 is 7.4.
 */
public final class RdbFormat {
    public static final int MIN_VERSION = 9;
    public static final int MAX_VERSION = 12;

    static final int STRING = 0;
    static final int LIST = 1;
    static final int SET = 2;
    static final int ZSET = 3;
    static final int HASH = 4;
    static final int ZSET_2 = 5;
    static final int MODULE_PRE_GA = 6;
    static final int MODULE_2 = 7;
    static final int HASH_ZIPMAP = 9;
    static final int LIST_ZIPLIST = 10;
    static final int SET_INTSET = 11;
    static final int ZSET_ZIPLIST = 12;
    static final int HASH_ZIPLIST = 13;
    static final int LIST_QUICKLIST = 14;
    static final int STREAM_LISTPACKS = 15;
    static final int HASH_LISTPACK = 16;
    static final int ZSET_LISTPACK = 17;
    static final int LIST_QUICKLIST_2 = 18;
    static final int STREAM_LISTPACKS_2 = 19;
    static final int SET_LISTPACK = 20;
    static final int STREAM_LISTPACKS_3 = 21;
    static final int HASH_METADATA_PRE_GA = 22;
    static final int HASH_LISTPACK_EX_PRE_GA = 23;
    static final int HASH_METADATA = 24;
    static final int HASH_LISTPACK_EX = 25;

    static final int OP_SLOT_INFO = 244;
    static final int OP_FUNCTION2 = 245;
    static final int OP_FUNCTION_PRE_GA = 246;
    static final int OP_MODULE_AUX = 247;
    static final int OP_IDLE = 248;
    static final int OP_FREQ = 249;
    static final int OP_AUX = 250;
    static final int OP_RESIZEDB = 251;
    static final int OP_EXPIRETIME_MS = 252;
    static final int OP_EXPIRETIME = 253;
    static final int OP_SELECTDB = 254;
    static final int OP_EOF = 255;

    private RdbFormat() {
    }

    /** The Redis data type a value type stores: string, list, set, zset, hash, stream or module. */
    public static String typeName(int type) {
        return switch (type) {
            case STRING -> "string";
            case LIST, LIST_ZIPLIST, LIST_QUICKLIST, LIST_QUICKLIST_2 -> "list";
            case SET, SET_INTSET, SET_LISTPACK -> "set";
            case ZSET, ZSET_2, ZSET_ZIPLIST, ZSET_LISTPACK -> "zset";
            case HASH, HASH_ZIPMAP, HASH_ZIPLIST, HASH_LISTPACK, HASH_METADATA_PRE_GA, HASH_LISTPACK_EX_PRE_GA, HASH_METADATA,
                 HASH_LISTPACK_EX -> "hash";
            case STREAM_LISTPACKS, STREAM_LISTPACKS_2, STREAM_LISTPACKS_3 -> "stream";
            case MODULE_PRE_GA, MODULE_2 -> "module";
            default -> "unknown(" + type + ")";
        };
    }

    /** The Redis release that writes an RDB version, for messages. */
    public static String redisRelease(int version) {
        return switch (version) {
            case 9 -> "Redis 6.0/6.2";
            case 10 -> "Redis 7.0";
            case 11 -> "Redis 7.2";
            case 12 -> "Redis 7.4";
            default -> version > MAX_VERSION ? "a Redis newer than 7.4" : "a Redis older than 6.0";
        };
    }
}
