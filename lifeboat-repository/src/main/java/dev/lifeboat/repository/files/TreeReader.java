package dev.lifeboat.repository.files;

import dev.lifeboat.repository.Json;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.chunk.ChunkId;
import dev.lifeboat.repository.index.BlobIndex;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.function.Consumer;

/** Streams a snapshot's tree listing, fetching and verifying one tree blob at a time. */
public final class TreeReader {
    private TreeReader() {
    }

    /** Calls {@code each} for every entry, in listing order (a directory before its contents). */
    public static void forEach(Repository repo, Snapshot snapshot, Consumer<TreeEntry> each) {
        forEach(repo, snapshot, repo.index(), each);
    }

    /** As {@link #forEach(Repository, Snapshot, Consumer)}, reading blobs through {@code index}. */
    public static void forEach(Repository repo, Snapshot snapshot, BlobIndex index, Consumer<TreeEntry> each) {
        Iterator<String> ids = snapshot.manifest().tree().iterator();
        Enumeration<InputStream> parts = new Enumeration<>() {
            @Override
            public boolean hasMoreElements() {
                return ids.hasNext();
            }

            @Override
            public InputStream nextElement() {
                return new ByteArrayInputStream(repo.readBlob(ChunkId.parse(ids.next()), index));
            }
        };
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new SequenceInputStream(parts), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isEmpty()) {
                    each.accept(Json.read(line.getBytes(StandardCharsets.UTF_8), TreeEntry.class));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
