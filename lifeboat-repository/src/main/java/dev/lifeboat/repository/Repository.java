package dev.lifeboat.repository;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Compression;
import dev.lifeboat.repository.chunk.ChunkHasher;
import dev.lifeboat.repository.chunk.ChunkId;
import dev.lifeboat.repository.chunk.Chunker;
import dev.lifeboat.repository.chunk.FastCdcChunker;
import dev.lifeboat.repository.codec.DamagedObjectException;
import dev.lifeboat.repository.codec.Sealer;
import dev.lifeboat.repository.crypto.Aead;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.crypto.KeyObject;
import dev.lifeboat.repository.crypto.Keyring;
import dev.lifeboat.repository.crypto.MasterKey;
import dev.lifeboat.repository.index.BlobIndex;
import dev.lifeboat.repository.index.IndexCodec;
import dev.lifeboat.repository.lock.RepositoryLock;
import dev.lifeboat.repository.codec.ObjectKind;
import dev.lifeboat.repository.pack.PackNames;
import dev.lifeboat.repository.pack.PackedBlob;
import dev.lifeboat.repository.store.ObjectInfo;
import dev.lifeboat.repository.store.ObjectStore;
import dev.lifeboat.repository.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.AEADBadTagException;

/**
 * An open repository: its store, its keys, and the index of every blob. Reads verify everything they return;
 * writes go through a {@link BlobSink}, and a snapshot becomes visible only when its manifest is written, after
 * every pack and index it depends on is durable.
 */
public final class Repository {
    private final ObjectStore store;
    private final RepositoryConfig config;
    private final Keyring keyring;
    private final Optional<MasterKey> master;
    private final Sealer sealer;
    private final ChunkHasher hasher;
    private volatile BlobIndex index;
    /** Recently read packs: restores read blobs in the order backups wrote them, so whole packs are fetched once. */
    private final PackCache packs = new PackCache(4);
    /** Locks taken through {@link #lockShared}/{@link #lockExclusive} and not yet released. */
    private final java.util.Set<RepositoryLock> locks = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private Repository(ObjectStore store, RepositoryConfig config, Keyring keyring, Optional<MasterKey> master) {
        this.store = store;
        this.config = config;
        this.keyring = keyring;
        this.master = master;
        this.sealer = new Sealer(keyring, config.compression(), config.level());
        this.hasher = new ChunkHasher(keyring.idKey());
    }

    /**
     * Creates a repository in an empty store.
     *
     * @throws LifeboatException {@code repository-exists}, or {@code key-required} for an encrypted repository
     *                           without credentials
     */
    public static Repository init(ObjectStore store, Optional<Credentials> credentials, RepositoryOptions options) {
        if (options.encrypted() && credentials.isEmpty()) {
            throw LifeboatException.of(ErrorCode.KEY_REQUIRED, "a new encrypted repository needs a passphrase or key file");
        }
        if (store.stat(Layout.CONFIG).isPresent()) {
            throw LifeboatException.of(ErrorCode.REPOSITORY_EXISTS, store.location());
        }
        RepositoryConfig config = new RepositoryConfig(RepositoryConfig.FORMAT, UUID.randomUUID().toString(), Instant.now().toString(),
                options.encrypted() ? RepositoryConfig.AES_256_GCM : RepositoryConfig.NONE,
                options.compression().algorithm(), options.compression().level(), options.packSize());
        Keyring keyring = Keyring.create(options.encrypted());
        Optional<MasterKey> master = Optional.empty();
        if (options.encrypted()) {
            MasterKey m = new MasterKey(HexFormat.of().formatHex(Aead.randomBytes(8)), Aead.randomKey());
            writeKeyring(store, m, keyring);
            Credentials c = credentials.get();
            KeyObject key = KeyObject.wrap(m, c, options.kdf().orElseGet(c::newKdf));
            store.put(Layout.KEYS + HexFormat.of().formatHex(Aead.randomBytes(8)), Json.write(key));
            master = Optional.of(m);
        } else {
            store.put(Layout.KEYRING + "plain", Json.write(keyring));
        }
        // The config is written last and only if absent: a repository exists once it is complete.
        if (!store.putIfAbsent(Layout.CONFIG, Json.write(config))) {
            throw LifeboatException.of(ErrorCode.REPOSITORY_EXISTS, store.location());
        }
        return new Repository(store, config, keyring, master);
    }

    /**
     * Opens a repository.
     *
     * @throws LifeboatException {@code repository-not-found}, {@code unsupported-format}, {@code key-required},
     *                           {@code wrong-key}
     */
    public static Repository open(ObjectStore store, Optional<Credentials> credentials) {
        byte[] configBytes;
        try {
            configBytes = store.get(Layout.CONFIG);
        } catch (StoreException e) {
            if (e.kind() == StoreException.Kind.NOT_FOUND) {
                throw LifeboatException.of(ErrorCode.REPOSITORY_NOT_FOUND, store.location());
            }
            throw e;
        }
        RepositoryConfig config;
        try {
            config = Json.read(configBytes, RepositoryConfig.class);
        } catch (DamagedObjectException e) {
            throw LifeboatException.of(ErrorCode.OBJECT_CORRUPT, "the repository config in " + store.location() + " is damaged: " + e.getMessage());
        }
        if (config.format() > RepositoryConfig.FORMAT) {
            throw LifeboatException.of(ErrorCode.UNSUPPORTED_FORMAT, "repository format " + config.format()
                    + " is newer than this Lifeboat reads (" + RepositoryConfig.FORMAT + ")");
        }
        if (!config.encrypted()) {
            // The config is not authenticated: whoever can write to the store could swap in an unencrypted one to
            // make later backups go out in plaintext. A caller that brings a key expects encryption, so refuse.
            if (credentials.isPresent()) {
                throw new LifeboatException(ErrorCode.WRONG_KEY, "the repository at " + store.location() + " says it is not encrypted, "
                        + "but a passphrase or key file was given; refusing to write to it unencrypted",
                        "If it was created without encryption (repo init --no-encryption), give it no passphrase or key file "
                                + "(unset LIFEBOAT_PASSPHRASE); otherwise its config was replaced: check who can write to the store.");
            }
            Keyring keyring = Json.read(store.get(Layout.KEYRING + "plain"), Keyring.class);
            return new Repository(store, config, keyring, Optional.empty());
        }
        if (credentials.isEmpty()) {
            throw LifeboatException.of(ErrorCode.KEY_REQUIRED, "the repository at " + store.location() + " is encrypted and no passphrase or key file was given");
        }
        Aead.warmUpInBackground(); // on the other core while Argon2id derives the key
        List<ObjectInfo> keys = store.list(Layout.KEYS);
        if (keys.isEmpty()) {
            throw new LifeboatException(ErrorCode.OBJECT_MISSING, "the repository at " + store.location() + " is encrypted but holds no key "
                    + "object (keys/)", "Its keys were deleted or not copied to this store: open a copy that has them (another region).");
        }
        // Why each key object did not open it: a damaged object, a store that did not answer, a keyring missing for
        // a key that unwrapped, and a credential that fits none are four different problems for the operator.
        List<String> unusable = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        List<String> noKeyring = new ArrayList<>();
        int tried = 0;
        for (ObjectInfo info : newestFirst(keys)) {
            KeyObject key;
            try {
                key = Json.read(store.get(info.name()), KeyObject.class);
            } catch (DamagedObjectException e) {
                unusable.add(info.name() + " (" + e.getMessage() + ")");
                continue;
            } catch (StoreException e) {
                if (e.kind() != StoreException.Kind.NOT_FOUND) {
                    unreadable.add(info.name() + " (" + e.getMessage() + ")");
                }
                continue; // vanished since the listing: another one may open the repository
            }
            // Anyone who can write to the store can add a key object: its parameters must not exhaust memory or time.
            Optional<String> problem = key.problem();
            if (problem.isPresent()) {
                unusable.add(info.name() + " (" + problem.get() + ")");
                continue;
            }
            tried++;
            Optional<MasterKey> m = key.unwrap(credentials.get());
            if (m.isPresent()) {
                Optional<Keyring> keyring = readKeyring(store, m.get());
                if (keyring.isPresent()) {
                    return new Repository(store, config, keyring.get(), m);
                }
                noKeyring.add(m.get().id());
            }
        }
        String skipped = unusable.isEmpty() ? "" : "; " + unusable.size() + " key object(s) skipped as unusable: " + String.join(", ", unusable);
        if (!noKeyring.isEmpty()) {
            throw new LifeboatException(ErrorCode.OBJECT_CORRUPT, "the " + credentials.get().kind() + " opens master key " + noKeyring.get(0)
                    + " of the repository at " + store.location() + ", but its keyring (keyring/" + noKeyring.get(0) + ") is missing or damaged"
                    + skipped, "The passphrase is right. Restore the keyring object from another region or a copy of the store.");
        }
        if (!unreadable.isEmpty()) {
            throw new LifeboatException(ErrorCode.STORE_UNAVAILABLE, "the repository at " + store.location() + " could not be opened: "
                    + unreadable.size() + " key object(s) could not be read (" + String.join(", ", unreadable) + ")" + skipped,
                    "Try again when the store answers; the passphrase was not found wrong.");
        }
        if (tried == 0) {
            throw new LifeboatException(ErrorCode.OBJECT_CORRUPT, "no key object of the repository at " + store.location() + " is usable"
                    + skipped, "Restore the keys/ objects from another region or a copy of the store.");
        }
        throw new LifeboatException(ErrorCode.WRONG_KEY, "the " + credentials.get().kind() + " does not open any of the "
                + tried + " key(s) of the repository at " + store.location() + skipped,
                "Check the passphrase or key file: a passphrase is used exactly as given (a passphrase file's surrounding whitespace is "
                        + "removed, $LIFEBOAT_PASSPHRASE's is not).");
    }

    /** Whether the stored key object {@code keyName} unwraps {@code master} with {@code credentials}, and its keyring reads. */
    private static boolean opensWith(ObjectStore store, String keyName, MasterKey master, Credentials credentials) {
        try {
            Optional<MasterKey> m = Json.read(store.get(keyName), KeyObject.class).unwrap(credentials);
            return m.isPresent() && m.get().id().equals(master.id()) && java.util.Arrays.equals(m.get().key(), master.key())
                    && readKeyring(store, m.get()).isPresent();
        } catch (DamagedObjectException | StoreException e) {
            return false;
        }
    }

    private static List<ObjectInfo> newestFirst(List<ObjectInfo> infos) {
        List<ObjectInfo> sorted = new ArrayList<>(infos);
        sorted.sort((a, b) -> b.modified().compareTo(a.modified()));
        return sorted;
    }

    static void writeKeyring(ObjectStore store, MasterKey master, Keyring keyring) {
        store.put(Layout.KEYRING + master.id(), Aead.seal(master.key(), Json.write(keyring), keyringAad(master.id())));
    }

    private static Optional<Keyring> readKeyring(ObjectStore store, MasterKey master) {
        try {
            byte[] sealed = store.get(Layout.KEYRING + master.id());
            return Optional.of(Json.read(Aead.open(master.key(), sealed, keyringAad(master.id())), Keyring.class));
        } catch (StoreException | AEADBadTagException | DamagedObjectException e) {
            return Optional.empty();
        }
    }

    private static byte[] keyringAad(String masterId) {
        return ("lifeboat keyring v1|" + masterId).getBytes(StandardCharsets.UTF_8);
    }

    public ObjectStore store() {
        return store;
    }

    public RepositoryConfig config() {
        return config;
    }

    public Sealer sealer() {
        return sealer;
    }

    public ChunkHasher hasher() {
        return hasher;
    }

    Keyring keyring() {
        return keyring;
    }

    Optional<MasterKey> master() {
        return master;
    }

    /** The chunker for file content; its gear table comes from the repository's key. */
    public Chunker fileChunker() {
        return FastCdcChunker.forFiles(hasher.derive("fastcdc gear v1"));
    }

    /** The index of every blob, loaded on first use. */
    public BlobIndex index() {
        BlobIndex i = index;
        if (i == null) {
            synchronized (this) {
                if (index == null) {
                    index = loadIndex();
                }
                i = index;
            }
        }
        return i;
    }

    /** Forgets the loaded index, so the next use reads the store again (after another process wrote). */
    public synchronized void reloadIndex() {
        index = null;
    }

    /** Index objects fetched at once when loading: a remote store's latency, not its bandwidth, bounds many small GETs. */
    static final int INDEX_READERS = 8;

    private BlobIndex loadIndex() {
        BlobIndex loaded = new BlobIndex();
        List<ObjectInfo> objects = store.list(Layout.INDEX);
        if (objects.size() <= 1) {
            objects.forEach(info -> loaded.addAll(info.name(), readIndex(info.name())));
            return loaded;
        }
        java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newFixedThreadPool(Math.min(INDEX_READERS, objects.size()), r -> {
            Thread t = new Thread(r, "lifeboat-index-read");
            t.setDaemon(true);
            return t;
        });
        try {
            List<java.util.concurrent.Future<?>> reads = new java.util.ArrayList<>();
            for (ObjectInfo info : objects) {
                reads.add(readers.submit(() -> loaded.addAll(info.name(), readIndex(info.name()))));
            }
            for (java.util.concurrent.Future<?> f : reads) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw LifeboatException.of(ErrorCode.INTERRUPTED, "interrupted while reading the repository's index");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            readers.shutdownNow();
        }
        return loaded;
    }

    /** The entries of one index object, verified. */
    public List<PackedBlob> readIndex(String name) {
        return readIndex(name, true);
    }

    /**
     * As {@link #readIndex(String)}; without {@code otherRegions} a damaged copy is reported even where another region
     * holds an intact one ({@code repo verify} reports what is damaged where it is).
     */
    public List<PackedBlob> readIndex(String name, boolean otherRegions) {
        String expected = name.substring(Layout.INDEX.length());
        byte[] bytes = store.get(name);
        if (otherRegions && !PackNames.sha256(bytes).equals(expected)) {
            bytes = store.getIntact(name, copy -> PackNames.sha256(copy).equals(expected)); // another region's, if intact
        }
        try {
            if (!PackNames.sha256(bytes).equals(expected)) {
                throw new DamagedObjectException("content does not match its name (SHA-256)");
            }
            return IndexCodec.decode(sealer.open(ObjectKind.INDEX, bytes, new byte[0]));
        } catch (DamagedObjectException e) {
            throw LifeboatException.of(ErrorCode.OBJECT_CORRUPT, "index object " + name + " is damaged: " + e.getMessage());
        }
    }

    /**
     * Writes an index object for {@code blobs}, whose packs must already be durable; returns its name. Like every
     * content-addressed object it needs no context in its authenticated data: its name is the SHA-256 of its bytes.
     */
    public String writeIndex(List<PackedBlob> blobs) {
        ensureLocksHeld();
        byte[] sealed = sealer.seal(ObjectKind.INDEX, IndexCodec.encode(blobs), new byte[0]);
        String name = Layout.INDEX + PackNames.sha256(sealed);
        store.put(name, sealed);
        BlobIndex loaded = index();
        loaded.addAll(name, blobs);
        return name;
    }

    /** A shared lock (backups) on this repository; see {@link #ensureLocksHeld()}. */
    public RepositoryLock lockShared(String purpose) {
        return track(RepositoryLock.shared(store, java.time.Clock.systemUTC(), purpose));
    }

    /** An exclusive lock (prune, key rotation) on this repository; see {@link #ensureLocksHeld()}. */
    public RepositoryLock lockExclusive(String purpose) {
        return track(RepositoryLock.exclusive(store, java.time.Clock.systemUTC(), purpose));
    }

    /**
     * How long releasing a lock waits for this process's background copies to other regions: made under the lock, a
     * copy cannot re-create in a lagging region what a prune in another process deleted meanwhile.
     */
    static final long RELEASE_WAITS_FOR_COPIES_MILLIS = 30_000;

    /** Tracks a lock taken on this repository's store until it is released, which waits for pending copies first. */
    public RepositoryLock track(RepositoryLock lock) {
        locks.add(lock);
        lock.whenClosed(() -> {
            locks.remove(lock);
            store.awaitQueuedCopies(RELEASE_WAITS_FOR_COPIES_MILLIS);
        });
        return lock;
    }

    /**
     * Fails if a lock this process holds on the repository was lost ({@link RepositoryLock#ensureHeld()}). Every
     * commit calls it first (an index, a snapshot, a prune's deletion), so a process that lost its lock, and so
     * perhaps ran beside a prune, commits nothing that could refer to deleted data. Without I/O.
     *
     * @throws LifeboatException {@code lock-lost}
     */
    public void ensureLocksHeld() {
        for (RepositoryLock lock : locks) {
            lock.ensureHeld();
        }
    }

    /**
     * A new writer for one backup. The loaded index is first brought up to date ({@link #refreshIndex}): callers hold
     * the repository's shared lock, so no prune runs meanwhile, and the backup deduplicates only against blobs that
     * exist (a long-running agent may have loaded its index before another process pruned).
     */
    public BlobSink newSink() {
        refreshIndex();
        return new BlobSink(this);
    }

    /**
     * Brings a loaded index up to date with the store: when an index object it was built from is gone (a prune
     * rewrote the index and may have deleted packs), it is dropped and read again on next use; index objects written
     * since (by other processes) are added.
     */
    public synchronized void refreshIndex() {
        BlobIndex loaded = index;
        if (loaded == null) {
            return; // read on first use
        }
        java.util.Set<String> listed = new java.util.HashSet<>();
        store.list(Layout.INDEX).forEach(info -> listed.add(info.name()));
        if (!listed.containsAll(loaded.indexObjects())) {
            index = null;
            return;
        }
        for (String name : listed) {
            if (!loaded.indexObjects().contains(name)) {
                loaded.addAll(name, readIndex(name));
            }
        }
    }

    /**
     * Reads and verifies one blob: the pack range is decrypted and authenticated, and nothing unverified is ever
     * returned. In an encrypted repository the blob's id is part of what AES-GCM authenticates (its additional
     * data), so a blob that opens was sealed for exactly this id by a holder of the keys, and its keyed hash is not
     * computed again (HMAC-SHA256 cost about 1.7 s of CPU per 2.2 GiB restored here). Without encryption the keyed hash of the
     * plaintext must equal the id.
     *
     * @throws LifeboatException {@code object-missing} or {@code object-corrupt}, naming the chunk and its pack
     */
    public byte[] readBlob(ChunkId id) {
        return readBlob(id, index());
    }

    /** {@link #readBlob(ChunkId)} against a given index (verification builds its own, tolerant of damage). */
    public byte[] readBlob(ChunkId id, BlobIndex index) {
        return readBlob(id, index, true);
    }

    /**
     * As above; without {@code otherRegions} a pack damaged in the first region that answers is reported as damaged
     * even where another region holds it intact ({@code repo verify}).
     */
    public byte[] readBlob(ChunkId id, BlobIndex index, boolean otherRegions) {
        PackedBlob where = index.find(id).orElseThrow(() -> LifeboatException.of(ErrorCode.OBJECT_MISSING,
                "chunk " + id.shortHex() + " is in no index of the repository"));
        String pack = PackNames.packObject(where.pack());
        byte[] whole;
        try {
            whole = packs.get(where.pack(), () -> store.get(pack));
        } catch (StoreException e) {
            if (e.kind() == StoreException.Kind.NOT_FOUND) {
                throw LifeboatException.of(ErrorCode.OBJECT_MISSING, "pack " + pack + " holding chunk " + id.shortHex() + " is missing");
            }
            throw e;
        }
        try {
            return openWhole(where, whole);
        } catch (DamagedObjectException e) {
            if (!otherRegions) {
                throw LifeboatException.of(ErrorCode.OBJECT_CORRUPT, "chunk " + id.shortHex() + " in pack " + pack + " is damaged: " + e.getMessage());
            }
            // Another region may hold an intact copy of the pack: read it there before calling the chunk damaged.
            byte[] other = store.getIntact(pack, copy -> {
                try {
                    openWhole(where, copy);
                    return true;
                } catch (DamagedObjectException stillDamaged) {
                    return false;
                }
            });
            try {
                byte[] plain = openWhole(where, other);
                packs.replace(where.pack(), other);
                return plain;
            } catch (DamagedObjectException again) {
                throw LifeboatException.of(ErrorCode.OBJECT_CORRUPT, "chunk " + id.shortHex() + " in pack " + pack + " is damaged: " + e.getMessage());
            }
        }
    }

    private byte[] openWhole(PackedBlob where, byte[] whole) {
        if (where.offset() < 0 || (long) where.offset() + where.length() > whole.length) {
            throw new DamagedObjectException("pack is truncated");
        }
        return openBlob(where, whole, where.offset(), !config.encrypted());
    }

    /**
     * Opens a blob of a pack already fetched ({@code pack} holds the whole pack) with the checks a restore makes: the
     * keyed hash only in an unencrypted repository (see {@link #readBlob(ChunkId)}).
     *
     * @throws DamagedObjectException when it fails authentication, decompression or the id check
     */
    public byte[] openBlobAsRead(PackedBlob where, byte[] pack) {
        return openBlob(where, pack, where.offset(), !config.encrypted());
    }

    /**
     * Opens a blob's sealed bytes found at {@code offset} of {@code bytes} and checks its keyed hash against its id
     * (always, also when encrypted: verification and repacking check everything twice).
     *
     * @throws DamagedObjectException when it fails authentication, decompression or the id check
     */
    public byte[] openBlob(PackedBlob where, byte[] bytes, int offset) {
        return openBlob(where, bytes, offset, true);
    }

    private byte[] openBlob(PackedBlob where, byte[] bytes, int offset, boolean rehash) {
        if (offset + where.length() > bytes.length) {
            throw new DamagedObjectException("pack is truncated");
        }
        byte[] plain = sealer.open(where.type().kind(), bytes, offset, where.length(), where.id().bytes());
        if (plain.length != where.plainLength() || rehash && !hasher.id(plain).equals(where.id())) {
            throw new DamagedObjectException("content does not match its id");
        }
        return plain;
    }

    /**
     * Rotates keys without re-encrypting data: a new data key for everything written from now on, a new master key
     * wrapping the keyring (which keeps every older data key, so older objects stay readable), and a single new key
     * object for {@code credentials} (the current or a new passphrase or key file). Every other key object is
     * removed, so a leaked old passphrase stops working. The caller holds the exclusive lock.
     *
     * <p>Crash safety: the new keyring and key object are written before anything old is deleted, so at every
     * moment some key object opens the repository.
     *
     * @return the repository reopened with the new keys
     */
    public Repository rotateKey(Credentials credentials, Optional<dev.lifeboat.repository.crypto.KdfParams> kdf) {
        if (!config.encrypted()) {
            throw new LifeboatException(ErrorCode.USAGE, "the repository at " + store.location() + " is not encrypted; there is no key to rotate",
                    "Encryption is chosen at 'repo init'; to encrypt, create a new repository and copy the data with backups.");
        }
        ensureLocksHeld();
        // Under the lock, rotate the keyring as the store holds it now, not as it was read at open: another process may
        // have rotated since (this one waited at a passphrase prompt, say), deleting this master's keyring, and data
        // is sealed with that rotation's data key. Rotating the stale copy would mint a different key of the same id.
        MasterKey current = master.orElseThrow();
        Optional<Keyring> fresh = readKeyring(store, current);
        if (fresh.isEmpty() || fresh.get().current() != keyring.current() || fresh.get().dataKeys().size() != keyring.dataKeys().size()) {
            throw new LifeboatException(ErrorCode.REPOSITORY_LOCKED, "the keys of the repository at " + store.location()
                    + " were rotated by another process since this one opened it",
                    "Run the command again: it opens the repository with the keys as they are now.");
        }
        Keyring rotated = fresh.get().withNewDataKey();
        MasterKey next = new MasterKey(HexFormat.of().formatHex(Aead.randomBytes(8)), Aead.randomKey());
        writeKeyring(store, next, rotated);
        String keyName = Layout.KEYS + HexFormat.of().formatHex(Aead.randomBytes(8));
        store.put(keyName, Json.write(KeyObject.wrap(next, credentials, kdf.orElseGet(credentials::newKdf))));
        // Read back what the store now holds and open it as the next 'repository open' will: only a key object that
        // provably opens the new keyring may replace the old ones.
        if (!opensWith(store, keyName, next, credentials)) {
            throw new LifeboatException(ErrorCode.OBJECT_CORRUPT, "the new key object " + keyName + " does not open the new keyring as stored, "
                    + "so the old keys were kept (the old passphrase or key file still opens the repository)",
                    "Check the store (lifeboat repo verify), then rotate again.");
        }
        // The old keys go from every region only once every region holds the new ones: a region left with neither
        // could never be opened again.
        if (!store.awaitCopies(120_000)) {
            throw new LifeboatException(ErrorCode.STORE_UNAVAILABLE, "the new key was written, but not every region has received it yet, so "
                    + "the old keys were kept (the old passphrase or key file still opens the repository)",
                    "Bring the region back (or run 'lifeboat repo sync'), then rotate again to remove the old keys.");
        }
        // Two rotations must never both delete: each would remove the other's new key. Each deletion checks the lock.
        for (ObjectInfo old : store.list(Layout.KEYS)) {
            if (!old.name().equals(keyName)) {
                ensureLocksHeld();
                store.delete(old.name());
            }
        }
        for (ObjectInfo old : store.list(Layout.KEYRING)) {
            if (!old.name().equals(Layout.KEYRING + next.id())) {
                ensureLocksHeld();
                store.delete(old.name());
            }
        }
        return new Repository(store, config, rotated, Optional.of(next));
    }

    /**
     * Whether the keys were rotated since this repository was opened (its master key's keyring is gone from the
     * store): a long-running process then still seals with the data key it read, which a rotation after a leak
     * means to retire. False for an unencrypted repository, and when the store does not answer.
     */
    public boolean keysRotatedSinceOpen() {
        if (master.isEmpty()) {
            return false;
        }
        try {
            return store.stat(Layout.KEYRING + master.get().id()).isEmpty();
        } catch (StoreException e) {
            return false;
        }
    }

    /** Facts about the keys, safe to print. */
    public String keySummary() {
        return config.encrypted() ? keyring.dataKeys().size() + " data key(s), current #" + keyring.current()
                + ", master key " + master.map(MasterKey::id).orElse("?") : "not encrypted";
    }

    /** The snapshots of this repository. */
    public SnapshotCatalog snapshots() {
        return new SnapshotCatalog(this);
    }

    /** Compression for display. */
    public String compressionName() {
        return config.compression() == Compression.Algorithm.NONE ? "none"
                : config.compression().name().toLowerCase(java.util.Locale.ROOT) + " level " + config.level();
    }
}
