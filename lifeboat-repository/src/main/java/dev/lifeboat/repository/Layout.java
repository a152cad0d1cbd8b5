package dev.lifeboat.repository;

/**
 * Where things live in a repository's store:
 *
 * <pre>
 * config                      plaintext JSON: format, repository id, encryption and compression settings
 * keys/&lt;random id&gt;            plaintext JSON: the master key wrapped by a passphrase or key file
 * keyring/&lt;master key id&gt;     sealed with the master key: identification key and every data key
 * data/&lt;xx&gt;/&lt;sha256&gt;          packs of sealed blobs, named by the SHA-256 of their bytes
 * index/&lt;sha256&gt;              sealed: which blob is in which pack
 * snapshots/&lt;sha256&gt;          sealed: one manifest per backup, written last
 * locks/&lt;random id&gt;           plaintext JSON: who is using the repository, refreshed while in use
 * wal/&lt;cluster&gt;/&lt;timeline&gt;/&lt;segment&gt;  sealed PostgreSQL WAL segments (and .partial, .history)
 * </pre>
 */
public final class Layout {
    public static final String CONFIG = "config";
    public static final String KEYS = "keys/";
    public static final String KEYRING = "keyring/";
    public static final String DATA = "data/";
    public static final String INDEX = "index/";
    public static final String SNAPSHOTS = "snapshots/";
    public static final String LOCKS = "locks/";
    public static final String WAL = "wal/";

    private Layout() {
    }
}
