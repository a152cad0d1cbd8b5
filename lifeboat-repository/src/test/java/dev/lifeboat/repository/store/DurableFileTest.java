package dev.lifeboat.repository.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFileTest {
    @TempDir
    Path dir;

    /** Sizes around the direct-write threshold, the 1 MiB buffer and 4 KiB blocks, written in uneven pieces. */
    @ParameterizedTest
    @ValueSource(longs = {0, 1, 4095, 65536, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 << 20, (5 << 20) + 4097, (7 << 20) - 512})
    void writesExactlyTheBytesGivenWithAndWithoutODirect(long size) throws Exception {
        byte[] data = new byte[(int) size];
        new Random(size).nextBytes(data);
        for (boolean tryDirect : new boolean[] {true, false}) {
            Path p = dir.resolve("f-" + size + "-" + tryDirect);
            AtomicBoolean direct = new AtomicBoolean(tryDirect);
            try (DurableFile f = DurableFile.create(p, size, direct, StandardOpenOption.CREATE)) {
                // Direct exactly when large enough and the filesystem took O_DIRECT (else the flag was cleared).
                assertThat(f.direct()).isEqualTo(tryDirect && size >= DurableFile.DIRECT_FROM && direct.get());
                int at = 0;
                int piece = 1;
                while (at < data.length) {
                    int n = Math.min(data.length - at, piece);
                    f.write(data, at, n);
                    at += n;
                    piece = piece * 7 % 200_003 + 1; // uneven pieces, up to ~200 KB
                }
                f.finish();
                assertThat(f.size()).isEqualTo(size);
            }
            assertThat(Files.size(p)).as("size, direct=" + tryDirect).isEqualTo(size);
            assertThat(Files.readAllBytes(p)).as("content, direct=" + tryDirect).isEqualTo(data);
        }
    }

    @Test
    void aFileRestoredAgainOverAPartialOneIsReplacedWhole() throws Exception {
        Path p = dir.resolve("again");
        Files.write(p, new byte[3 << 20]);
        byte[] data = new byte[(2 << 20) + 10];
        new Random(1).nextBytes(data);
        try (DurableFile f = DurableFile.create(p, data.length, new AtomicBoolean(true), StandardOpenOption.CREATE)) {
            f.write(data, 0, data.length);
            f.finish();
        }
        assertThat(Files.readAllBytes(p)).isEqualTo(data);
    }

    /**
     * A filesystem that takes the O_DIRECT open but fails every direct write with EINVAL (some FUSE and network
     * filesystems): the file is written through the page cache instead, whole, and the rest of the restore skips
     * O_DIRECT. Sizes: the failure on a full-buffer write, and on the padded tail of a smaller file.
     */
    @ParameterizedTest
    @ValueSource(ints = {(3 << 20) + 123, (1 << 20) + 5})
    void aFilesystemRefusingTheFirstDirectWriteGetsThePageCache(int size) throws Exception {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        Path p = dir.resolve("refused-" + size);
        AtomicBoolean direct = new AtomicBoolean(true);
        int[] refused = {0};
        DurableFile.Opener opener = (path, options) -> {
            // The real file is opened without O_DIRECT, so the test does not depend on the filesystem under it.
            var plain = java.util.Arrays.stream(options).filter(o -> o != com.sun.nio.file.ExtendedOpenOption.DIRECT)
                    .toArray(java.nio.file.OpenOption[]::new);
            FileChannel real = FileChannel.open(path, plain);
            return plain.length < options.length ? new RefusingChannel(real, refused) : real;
        };
        try (DurableFile f = DurableFile.create(p, size, direct, StandardOpenOption.CREATE, opener)) {
            assertThat(f.direct()).as("the open succeeded with O_DIRECT").isTrue();
            f.write(data, 0, 1000);
            f.write(data, 1000, size - 1000);
            f.finish();
            assertThat(f.direct()).isFalse();
        }
        assertThat(refused[0]).as("a direct write was tried and refused").isEqualTo(1);
        assertThat(direct.get()).as("later files skip O_DIRECT").isFalse();
        assertThat(Files.readAllBytes(p)).isEqualTo(data);
    }

    @Test
    void aDirectWriteFailingAfterOthersSucceededIsAnError() throws Exception {
        byte[] data = new byte[3 << 20];
        int[] writes = {0};
        DurableFile.Opener opener = (path, options) -> new RefusingChannel(FileChannel.open(path, options), writes) {
            @Override
            public int write(java.nio.ByteBuffer src) throws java.io.IOException {
                if (++writes[0] == 2) {
                    throw new java.io.IOException("No space left on device");
                }
                return delegate.write(src);
            }
        };
        try (DurableFile f = DurableFile.create(dir.resolve("full"), data.length, new AtomicBoolean(true), StandardOpenOption.CREATE, opener)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.write(data, 0, data.length))
                    .isInstanceOf(java.io.IOException.class).hasMessageContaining("No space left");
        }
    }

    /** A channel whose writes fail with EINVAL, counting them; everything else goes to the real file. */
    static class RefusingChannel extends FileChannel {
        final FileChannel delegate;
        private final int[] count;

        RefusingChannel(FileChannel delegate, int[] count) {
            this.delegate = delegate;
            this.count = count;
        }

        @Override
        public int write(java.nio.ByteBuffer src) throws java.io.IOException {
            count[0]++;
            throw new java.io.IOException("Invalid argument");
        }

        @Override
        public long write(java.nio.ByteBuffer[] srcs, int offset, int length) throws java.io.IOException {
            throw new java.io.IOException("Invalid argument");
        }

        @Override
        public int write(java.nio.ByteBuffer src, long position) throws java.io.IOException {
            throw new java.io.IOException("Invalid argument");
        }

        @Override
        public int read(java.nio.ByteBuffer dst) throws java.io.IOException {
            return delegate.read(dst);
        }

        @Override
        public long read(java.nio.ByteBuffer[] dsts, int offset, int length) throws java.io.IOException {
            return delegate.read(dsts, offset, length);
        }

        @Override
        public int read(java.nio.ByteBuffer dst, long position) throws java.io.IOException {
            return delegate.read(dst, position);
        }

        @Override
        public long position() throws java.io.IOException {
            return delegate.position();
        }

        @Override
        public FileChannel position(long newPosition) throws java.io.IOException {
            delegate.position(newPosition);
            return this;
        }

        @Override
        public long size() throws java.io.IOException {
            return delegate.size();
        }

        @Override
        public FileChannel truncate(long size) throws java.io.IOException {
            delegate.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws java.io.IOException {
            delegate.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, java.nio.channels.WritableByteChannel target) throws java.io.IOException {
            return delegate.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(java.nio.channels.ReadableByteChannel src, long position, long count) throws java.io.IOException {
            return delegate.transferFrom(src, position, count);
        }

        @Override
        public java.nio.MappedByteBuffer map(MapMode mode, long position, long size) throws java.io.IOException {
            return delegate.map(mode, position, size);
        }

        @Override
        public java.nio.channels.FileLock lock(long position, long size, boolean shared) throws java.io.IOException {
            return delegate.lock(position, size, shared);
        }

        @Override
        public java.nio.channels.FileLock tryLock(long position, long size, boolean shared) throws java.io.IOException {
            return delegate.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws java.io.IOException {
            delegate.close();
        }
    }
}
