package org.dicomrelay.relay.cloud.bridge;

import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.bridge.BridgeUnreachableException;
import org.dicomrelay.relay.cloud.BlobRangeSink;
import org.dicomrelay.relay.cloud.BridgeTransport;
import org.dicomrelay.relay.io.SingleByte;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A blob at the Bridge read in ranges of {@code rangeBytes}, up to {@code rangesInFlight} of them
 * downloading at once, delivered in order as their bytes arrive (the head range is read while it
 * still downloads, so streaming a blob being uploaded stays as prompt as one GET). The first range
 * goes alone: its answer tells whether the blob is complete and how long, so a small blob costs
 * one request; the others follow up to the known end, or, while the blob is still being uploaded,
 * ahead of the reader until a range comes back short (where the blob ended). Memory: at most
 * {@code rangesInFlight x rangeBytes}. A range cut off mid-way asks again for the rest of that range
 * only, at most {@link #ATTEMPTS} times; any other failure fails the read. No thread of its own:
 * the transport's callbacks fill the ranges.
 */
final class RangedBlobInput extends InputStream {
    /** Requests of one range when the Bridge's answer is cut off or never comes. */
    static final int ATTEMPTS = 3;
    /** What {@link Range#take} returns when it woke for the first answer, without bytes: ask for the others, then read on. */
    private static final int ASK_FIRST = -2;
    /** The first buffer of a range whose length is not known yet; grown by doubling up to the range. */
    private static final int INITIAL_BUFFER = 64 * 1024;
    private static final System.Logger LOG = System.getLogger(RangedBlobInput.class.getName());

    private final BridgeTransport bridge;
    private final String name;
    private final int rangeBytes;
    private final int rangesInFlight;
    /** How long the reader waits for the head range to make progress. */
    private final Duration idle;
    /** Oldest first; the head is the one being read. */
    private final ArrayDeque<Range> ranges = new ArrayDeque<>();
    private long nextStart;
    /** The blob's size once an answer said it is complete; -1 before. */
    private volatile long size = -1;
    /** A range came back short: the blob ends there, no range after it is asked for. */
    private boolean lastAsked;
    private int headPosition;
    private boolean closed;
    /** The first range was answered ({@link #size} set if complete): the reader asks for the others. Written before the head's notify. */
    private volatile boolean firstAnswered;

    /**
     * Opens the blob: asks for its first range and waits for the answer to begin.
     *
     * @throws FileNotFoundException if the Bridge has no such blob for this router
     */
    static RangedBlobInput open(BridgeTransport bridge, String name, int rangeBytes, int rangesInFlight, Duration idle) throws IOException {
        RangedBlobInput in = new RangedBlobInput(bridge, name, rangeBytes, rangesInFlight, idle);
        try {
            in.ranges.peek().awaitAnswer(idle);
        } catch (IOException e) {
            in.close();
            throw e;
        }
        return in;
    }

    private RangedBlobInput(BridgeTransport bridge, String name, int rangeBytes, int rangesInFlight, Duration idle) {
        if (rangeBytes < 1 || rangesInFlight < 1) throw new IllegalArgumentException("rangeBytes and rangesInFlight must be positive");
        this.bridge = Objects.requireNonNull(bridge, "bridge");
        this.name = Objects.requireNonNull(name, "name");
        this.rangeBytes = rangeBytes;
        this.rangesInFlight = rangesInFlight;
        this.idle = Objects.requireNonNull(idle, "idle");
        ask(rangeBytes);
    }

    @Override
    public int read() throws IOException {
        return SingleByte.read(this);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed) throw new IOException("blob " + name + " already closed");
        if (len == 0) return 0;
        while (true) {
            if (firstAnswered) askMore();
            Range head = ranges.peek();
            if (head == null) return -1;
            int n = head.take(headPosition, b, off, len, idle);
            if (n == ASK_FIRST) continue;
            if (n > 0) {
                headPosition += n;
                return n;
            }
            // the head range is done and read: on to the next
            ranges.poll();
            headPosition = 0;
            if (head.filled() < head.length) {
                long end = head.start + head.filled();
                if (size >= 0 && end != size) throw new IOException("blob " + name + " ended at byte " + end + ", not at its size " + size);
                lastAsked = true;
                cancelAll(); // ranges after the end: empty anyway
                return -1;
            }
        }
    }

    /** Asks for ranges after the head, up to the in-flight limit, within the known size. */
    private void askMore() {
        while (!lastAsked && ranges.size() < rangesInFlight && (size < 0 || nextStart < size)) {
            ask((int) (size < 0 ? rangeBytes : Math.min(rangeBytes, size - nextStart)));
        }
    }

    private void ask(int length) {
        Range r = new Range(nextStart, length);
        ranges.add(r);
        nextStart += length;
        r.request();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        cancelAll();
    }

    private void cancelAll() {
        for (Range r : ranges) r.cancel();
        ranges.clear();
    }

    /** One range: its bytes as they arrive (the transport's thread) and as they are read (the reader's). */
    private final class Range {
        final long start;
        final int length;
        private byte[] buffer;
        private int filled;
        private boolean done;
        private boolean cancelled;
        private IOException failure;
        private int attempts;
        /** Whether this is the first range and its answer has not come yet. */
        private boolean first;
        /** Whether an answer began (the blob is there). */
        private boolean answered;

        Range(long start, int length) {
            this.start = start;
            this.length = length;
            this.first = start == 0;
        }

        synchronized int filled() {
            return filled;
        }

        /** Asks for what this range still lacks; the sink belongs to this attempt only. */
        void request() {
            int attempt;
            int from;
            synchronized (this) {
                if (attempts > 0 && filled == length) { // cut after its last byte: nothing left to ask for
                    done = true;
                    notifyAll();
                    return;
                }
                attempt = ++attempts;
                from = filled;
            }
            Sink sink = new Sink(attempt);
            bridge.readBlobRange(name, start + from, length - from, sink).whenComplete((v, e) -> ended(attempt, e));
        }

        private void ended(int attempt, Throwable e) {
            Throwable cause = e;
            while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) cause = cause.getCause();
            boolean again;
            synchronized (this) {
                if (attempt != attempts || cancelled) return;
                if (cause == null) {
                    done = true;
                    notifyAll();
                    return;
                }
                again = cause instanceof BridgeUnreachableException && attempts < ATTEMPTS;
                if (!again) {
                    failure = cause instanceof IOException io ? io
                            : new IOException("range of blob " + name + " failed: " + FailureText.of(cause), cause);
                    notifyAll();
                    return;
                }
            }
            LOG.log(System.Logger.Level.INFO, "a range of blob " + name + " from byte " + (start + filled()) + " was cut off, asking for the rest again: "
                    + FailureText.of(cause));
            request();
        }

        synchronized void started(int attempt, long blobSize) throws IOException {
            check(attempt);
            if (buffer == null) {
                int known = blobSize >= 0 ? (int) Math.max(0, Math.min(length, blobSize - start)) : -1;
                buffer = new byte[known >= 0 ? known : Math.min(INITIAL_BUFFER, length)];
            }
            // Any answer may tell the size (a blob completed meanwhile): no range is then asked for beyond it.
            if (blobSize >= 0) size = blobSize;
            if (first) {
                first = false;
                firstAnswered = true; // after size: the reader reads them in that order
            }
            answered = true;
            notifyAll();
        }

        synchronized void accept(int attempt, ByteBuffer bytes) throws IOException {
            check(attempt);
            int n = bytes.remaining();
            if (n > length - filled) throw new IOException("the Bridge sent more of blob " + name + " than the range asked for");
            if (filled + n > buffer.length) buffer = java.util.Arrays.copyOf(buffer, (int) Math.min(length, Math.max(filled + n, 2L * buffer.length)));
            bytes.get(buffer, filled, n);
            filled += n;
            notifyAll();
        }

        private void check(int attempt) throws IOException {
            if (cancelled) throw new IOException("the reader of blob " + name + " closed it");
            if (attempt != attempts) throw new IOException("a later attempt replaced this one");
        }

        /**
         * Copies bytes from {@code position} on, waiting for them; 0 once the range is done and read;
         * {@link #ASK_FIRST} if the first range's answer came while the others are still to be asked for.
         */
        synchronized int take(int position, byte[] b, int off, int len, Duration idle) throws IOException {
            long limit = idle.toNanos();
            long waited = 0;
            int seen = filled;
            while (filled <= position && !done && failure == null) {
                if (firstAnswered && !lastAsked && ranges.size() < rangesInFlight && (size < 0 || nextStart < size)) return ASK_FIRST;
                long t0 = System.nanoTime();
                try {
                    wait(Math.max(1, (limit - waited) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading blob " + name + " from the Bridge");
                }
                if (filled != seen) {
                    seen = filled;
                    waited = 0;
                } else if ((waited += System.nanoTime() - t0) >= limit) {
                    throw new IOException("blob " + name + ": no byte of the range from byte " + (start + position) + " came for " + idle.toSeconds() + " s");
                }
            }
            if (filled > position) {
                int n = Math.min(len, filled - position);
                System.arraycopy(buffer, position, b, off, n);
                if (position + n == length) buffer = null; // read whole: freed before the range leaves the queue
                return n;
            }
            if (failure != null) throw failed();
            return 0;
        }

        /** Waits for the answer to begin: the blob exists; or its failure ({@link FileNotFoundException} if absent). */
        synchronized void awaitAnswer(Duration idle) throws IOException {
            long deadline = System.nanoTime() + idle.toNanos();
            while (!answered && !done && failure == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new IOException("blob " + name + ": the Bridge did not answer within " + idle.toSeconds() + " s");
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while opening blob " + name + " at the Bridge");
                }
            }
            if (failure != null) throw failed();
        }

        private IOException failed() {
            if (failure instanceof FileNotFoundException) return new FileNotFoundException(failure.getMessage());
            return new IOException("reading blob " + name + " from the Bridge failed: " + FailureText.of(failure), failure);
        }

        void cancel() {
            synchronized (this) {
                cancelled = true;
                buffer = null;
                notifyAll();
            }
        }

        /** The transport's view of one attempt at this range. */
        private final class Sink implements BlobRangeSink {
            private final int attempt;

            Sink(int attempt) {
                this.attempt = attempt;
            }

            @Override
            public void started(long blobSize) throws IOException {
                Range.this.started(attempt, blobSize);
            }

            @Override
            public void accept(ByteBuffer bytes) throws IOException {
                Range.this.accept(attempt, bytes);
            }
        }
    }
}
