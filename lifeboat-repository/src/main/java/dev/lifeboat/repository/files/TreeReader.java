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
        forEach(repo, snapshot, index, true, each);
    }

    /**
     * As above; without {@code otherRegions} a tree blob damaged in the first region that answers is reported, not
     * read from another region ({@code repo verify} reports damage where it is).
     */
    public static void forEach(Repository repo, Snapshot snapshot, BlobIndex index, boolean otherRegions, Consumer<TreeEntry> each) {
        Iterator<String> ids = snapshot.manifest().tree().iterator();
        Enumeration<InputStream> parts = new Enumeration<>() {
            @Override
            public boolean hasMoreElements() {
                return ids.hasNext();
            }

            @Override
            public InputStream nextElement() {
                return new ByteArrayInputStream(repo.readBlob(ChunkId.parse(ids.next()), index, otherRegions));
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

    /**
     * The whole entries in the listing's tree blobs from the {@code from}-th on, without reading the rest: blobs are
     * read, up to {@code maxBlobs}, until one entry is whole; an entry cut at either end (blobs split the listing
     * anywhere) is left out, so the result may be empty. For sampling a large listing (a terabyte's is about a
     * gigabyte).
     */
    public static java.util.List<TreeEntry> sample(Repository repo, Snapshot snapshot, BlobIndex index, int from, int maxBlobs) {
        java.util.List<String> ids = snapshot.manifest().tree();
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        byte[] b = new byte[0];
        int start = from == 0 ? 0 : -1;
        int end = -1;
        for (int i = from; i < ids.size() && i < from + maxBlobs && end < 0; i++) {
            buf.writeBytes(repo.readBlob(ChunkId.parse(ids.get(i)), index));
            b = buf.toByteArray();
            if (start < 0) {
                int nl = indexOf(b, 0);
                start = nl < 0 ? -1 : nl + 1;
            }
            if (start >= 0) {
                int last = b.length - 1;
                while (last >= start && b[last] != '\n') {
                    last--;
                }
                end = last >= start ? last + 1 : -1;
            }
        }
        java.util.List<TreeEntry> out = new java.util.ArrayList<>();
        if (end < 0) {
            return out;
        }
        int lineStart = start;
        for (int k = start; k < end; k++) {
            if (b[k] == '\n') {
                if (k > lineStart) {
                    out.add(Json.read(java.util.Arrays.copyOfRange(b, lineStart, k), TreeEntry.class));
                }
                lineStart = k + 1;
            }
        }
        return out;
    }

    private static int indexOf(byte[] b, int from) {
        for (int k = from; k < b.length; k++) {
            if (b[k] == '\n') {
                return k;
            }
        }
        return -1;
    }
}
