package dev.lifeboat.repository.chunk;

import java.io.IOException;
import java.io.InputStream;

/** Cuts every {@code size} bytes; the last chunk may be shorter. */
public final class FixedChunker implements Chunker {
    private final int size;

    public FixedChunker(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("chunk size must be positive");
        }
        this.size = size;
    }

    @Override
    public void split(InputStream in, Sink sink) throws IOException {
        byte[] buf = new byte[size];
        while (true) {
            int n = in.readNBytes(buf, 0, size);
            if (n > 0) {
                sink.chunk(buf, 0, n);
            }
            if (n < size) {
                return;
            }
        }
    }

    @Override
    public String describe() {
        return "fixed/" + size;
    }

    @Override
    public int maxSize() {
        return size;
    }
}
