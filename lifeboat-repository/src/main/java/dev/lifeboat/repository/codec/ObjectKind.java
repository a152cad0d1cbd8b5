package dev.lifeboat.repository.codec;

/** What a sealed object holds; part of its authenticated header, so one kind cannot pass for another. */
public enum ObjectKind {
    DATA_BLOB(1), TREE_BLOB(2), PACK_HEADER(3), INDEX(4), SNAPSHOT(5), KEYRING(6), WAL(7), VERIFICATION(8);

    private final int code;

    ObjectKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ObjectKind of(int code) {
        for (ObjectKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown object kind " + code);
    }
}
