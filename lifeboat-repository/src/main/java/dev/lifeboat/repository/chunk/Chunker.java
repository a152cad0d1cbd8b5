package dev.lifeboat.repository.chunk;

import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a stream into chunks. Implementations keep at most a few chunk sizes of memory, whatever the stream's
 * length. {@link FastCdcChunker} cuts by content so insertions shift few boundaries; {@link FixedChunker} cuts every
 * N bytes, which suits page-structured files (PostgreSQL's 8 KiB pages) that are changed in place.
 */
public interface Chunker {
    /** Receives each chunk; the array is only valid during the call. */
    @FunctionalInterface
    interface Sink {
        void chunk(byte[] data, int offset, int length) throws IOException;
    }

    /** Reads {@code in} to its end, handing every chunk to {@code sink} in order. */
    void split(InputStream in, Sink sink) throws IOException;

    /** The parameters, recorded in each snapshot, e.g. {@code fastcdc/16384/65536/262144}. */
    String describe();

    /** The largest chunk this chunker emits. */
    int maxSize();
}
