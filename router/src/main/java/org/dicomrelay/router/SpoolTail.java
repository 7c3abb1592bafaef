package org.dicomrelay.router;

import org.dicomrelay.dicom.net.FailureText;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Objects;

/**
 * An object as the {@link Spool} writes it, readable while it grows: router A uploads a large
 * object while the modality is still sending it (a head start: the modality still hears Success
 * only once the spool has forced it to disk). The spool reports what it wrote ({@link #grew},
 * {@link #written}, {@link #failed}); once {@code threshold} bytes are in, {@code onThreshold}
 * runs, once, on the writing thread. A reader ({@link #open}) gets the bytes in order, waits for
 * more at the end of what is written, ends cleanly only after {@link #written}, and fails if
 * the spool write failed (the association aborted: the upload is cut, and router B aborts its
 * C-STORE) or no byte came for {@code idle}. The spool's folder and the object's name are the spool's: the file is 0600 there.
 */
final class SpoolTail {
    private final long threshold;
    private final java.util.function.Consumer<SpoolTail> onThreshold;
    private final Duration idle;
    private Path file;
    private Path completed;
    /** Opened with the file, before the spool may rename it; the one reader takes it, or {@link #release()} closes it. */
    private FileChannel channel;
    private long size;
    private boolean complete;
    private IOException failure;

    SpoolTail(long threshold, Duration idle, java.util.function.Consumer<SpoolTail> onThreshold) {
        this.threshold = threshold;
        this.idle = Objects.requireNonNull(idle, "idle");
        this.onThreshold = Objects.requireNonNull(onThreshold, "onThreshold");
    }

    /** The spool created {@code part} and writes the object there; {@code completed}: where it will be once spooled. */
    synchronized void writing(Path part, Path completed) throws IOException {
        file = part;
        this.completed = completed;
        channel = FileChannel.open(part, StandardOpenOption.READ);
    }

    /** {@code total} bytes are in the file. */
    void grew(long total) {
        boolean crossed;
        synchronized (this) {
            crossed = size < threshold && total >= threshold;
            size = total;
            notifyAll();
        }
        if (crossed) onThreshold.accept(this);
    }

    /** All {@code total} bytes are in the file (before it is forced: the reader may finish meanwhile). */
    synchronized void written(long total) {
        size = total;
        complete = true;
        notifyAll();
    }

    /** The object will not be complete (the association aborted, the disk failed): a reader fails. */
    synchronized void failed(IOException why) {
        if (complete) return; // read whole already; the entry's fate is the spool's to tell
        failure = why;
        notifyAll();
    }

    /** The spool is done with the file; a channel no reader took is closed. */
    synchronized void release() throws IOException {
        if (channel != null) channel.close();
        channel = null;
    }

    /** The object's size once {@link #written}; -1 before. */
    synchronized long size() {
        return complete ? size : -1;
    }

    /** The one reader of the object, from its first byte (the spooled file, if the spool has released its own channel). */
    synchronized InputStream open() throws IOException {
        if (failure != null) throw new IOException("the object did not arrive whole: " + FailureText.of(failure), failure);
        FileChannel ch = channel;
        channel = null;
        if (ch == null) ch = FileChannel.open(complete ? completed : file, StandardOpenOption.READ);
        return new Reader(ch);
    }

    /** Bytes of the file as they are written. */
    private final class Reader extends InputStream {
        private final FileChannel ch;
        private long position;

        Reader(FileChannel ch) {
            this.ch = ch;
        }

        @Override
        public int read() throws IOException {
            return org.dicomrelay.relay.io.SingleByte.read(this);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) return 0;
            long available = awaitBeyond(position);
            if (available < 0) return -1;
            int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, available)), position);
            if (n < 0) throw new java.io.EOFException("spool file shorter than what was written to it");
            position += n;
            return n;
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    /** Bytes readable beyond {@code position}, waiting for them; -1 at the end of a complete object. */
    private synchronized long awaitBeyond(long position) throws IOException {
        long deadline = System.nanoTime() + idle.toNanos();
        long seen = size;
        while (failure == null && position >= size && !complete) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new IOException("no byte of the object came from the modality for " + idle.toSeconds() + " s");
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading an object the spool is still writing");
            }
            if (size != seen) {
                seen = size;
                deadline = System.nanoTime() + idle.toNanos();
            }
        }
        if (failure != null) throw new IOException("the object did not arrive whole: " + FailureText.of(failure), failure);
        return position < size ? size - position : -1;
    }
}
