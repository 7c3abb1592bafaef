package org.dicomrelay.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * A blob read while its parts are still coming: delivers the committed bytes of its file in order,
 * waits (on {@link BlobProgress}, never polling) for the next part at the end of them, and ends at
 * the end of the last part. Fails with {@link BlobProgress.StalledException} if the upload is
 * aborted, expires, or makes no progress for the idle time.
 */
final class BlobReader extends InputStream {
    private final Path file;
    private final BlobProgress progress;
    private final Duration idle;
    private FileChannel channel;
    private long position;
    /** Bytes known committed; reading below it needs no lock. */
    private long available;
    private boolean ended;

    /** Reads from byte {@code start} on (a range; beyond the blob's end, it ends at once when the blob is complete). */
    BlobReader(Path file, BlobProgress progress, Duration idle, long start) {
        this.file = file;
        this.progress = progress;
        this.idle = idle;
        this.position = start;
    }

    /** Whether a read now would return without waiting for a part (the caller flushes what it has before waiting). */
    boolean wouldWait() {
        return !ended && position >= available;
    }

    @Override
    public int read() throws IOException {
        byte[] b = new byte[1];
        return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) return 0;
        if (ended) return -1;
        if (position >= available) {
            long size = progress.awaitBeyond(position, idle);
            if (size < 0) {
                ended = true;
                return -1;
            }
            available = size;
        }
        // Opened at the first byte: the file exists once a part is committed.
        if (channel == null) {
            try {
                channel = FileChannel.open(file, StandardOpenOption.READ);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new BlobProgress.StalledException("blob " + file.getFileName() + " is gone: deleted while being read");
            }
        }
        int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, available - position)), position);
        if (n < 0) throw new java.io.EOFException("blob file shorter than its committed parts");
        position += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        ended = true;
        if (channel != null) channel.close();
    }
}
