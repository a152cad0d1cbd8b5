package dev.lifeboat.core.io;

import java.io.IOException;
import java.io.InputStream;

/**
 * An input stream that only implements bulk reads; the single-byte {@link #read()} is answered through them. For
 * the framing and filtering streams of backups and transfers, which never see single-byte reads on their hot path.
 */
public abstract class BulkInputStream extends InputStream {
    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        do {
            n = read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public abstract int read(byte[] b, int off, int len) throws IOException;
}
