package dev.lifeboat.repository.pack;

import dev.lifeboat.repository.codec.ObjectKind;

/** What a blob holds: file content, or a piece of a snapshot's tree listing. */
public enum BlobType {
    DATA(ObjectKind.DATA_BLOB), TREE(ObjectKind.TREE_BLOB);

    private final ObjectKind kind;

    BlobType(ObjectKind kind) {
        this.kind = kind;
    }

    public ObjectKind kind() {
        return kind;
    }

    public static BlobType of(int code) {
        return code == ObjectKind.TREE_BLOB.code() ? TREE : DATA;
    }
}
