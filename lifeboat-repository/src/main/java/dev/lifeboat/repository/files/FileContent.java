package dev.lifeboat.repository.files;

import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.chunk.ChunkId;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;

/**
 * A stored file's content as a stream, fetched and authenticated one chunk at a time, so a file of any size is
 * read in constant memory. A damaged or missing chunk surfaces as the repository's error at the point it is read.
 */
public final class FileContent {
    private FileContent() {
    }

    public static InputStream open(Repository repo, TreeEntry entry) {
        List<String> chunks = entry.chunks() == null ? List.of() : entry.chunks();
        Iterator<String> ids = chunks.iterator();
        return new SequenceInputStream(new Enumeration<InputStream>() {
            @Override
            public boolean hasMoreElements() {
                return ids.hasNext();
            }

            @Override
            public InputStream nextElement() {
                return new ByteArrayInputStream(repo.readBlob(ChunkId.parse(ids.next())));
            }
        });
    }

    /** The entry at {@code path} in a snapshot's tree, if there is one. */
    public static java.util.Optional<TreeEntry> find(Repository repo, dev.lifeboat.repository.Snapshot snapshot, String path) {
        TreeEntry[] found = new TreeEntry[1];
        TreeReader.forEach(repo, snapshot, e -> {
            if (found[0] == null && e.path().equals(path)) {
                found[0] = e;
            }
        });
        return java.util.Optional.ofNullable(found[0]);
    }
}
