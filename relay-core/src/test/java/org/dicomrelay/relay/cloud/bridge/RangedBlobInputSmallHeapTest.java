package org.dicomrelay.relay.cloud.bridge;

import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobRangeSink;
import org.dicomrelay.relay.cloud.BridgeTransport;
import org.dicomrelay.relay.cloud.Notifications;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10, item 7 (bounded memory) for parallel ranged downloads: a 256 MB blob read in 4 MiB
 * ranges, four at once, through a 64 MB heap (surefire execution "small-heap", -Xmx64m): never more
 * than four ranges asked for at once, every byte in order; both when the Bridge says the blob is
 * complete (its size known from the first answer) and while it is still being uploaded (size
 * unknown: the range that comes back short ends it).
 */
@Tag("small-heap")
class RangedBlobInputSmallHeapTest {
    private static final long SIZE = 256L << 20;
    private static final int RANGE = 4 << 20;
    private static final int IN_FLIGHT = 4;

    @ParameterizedTest(name = "size known from the first answer: {0}")
    @ValueSource(booleans = {true, false})
    void twoHundredFiftySixMegabytesReadInParallelRangesThroughASmallHeap(boolean complete) throws IOException {
        assertThat(Runtime.getRuntime().maxMemory()).isLessThan(80L << 20);
        ExecutorService senders = Executors.newFixedThreadPool(IN_FLIGHT + 1);
        try {
            VirtualBlob bridge = new VirtualBlob(senders, complete);
            long read = 0;
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = new BridgeBlobStore(bridge, 8 << 20, 2, RANGE, IN_FLIGHT).open(BlobNames.random())) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] != byteAt(read + i)) throw new AssertionError("byte " + (read + i) + " differs");
                    }
                    read += n;
                }
            }
            assertThat(read).isEqualTo(SIZE);
            assertThat(bridge.mostInFlight.get()).isBetween(2, IN_FLIGHT);
        } finally {
            senders.shutdownNow();
        }
    }

    private static byte byteAt(long p) {
        return (byte) (p * 31 + (p >>> 11));
    }

    /** Serves ranges of a blob of {@link #SIZE} bytes made up on the fly, from its own threads, in 64 KiB buffers. */
    private static final class VirtualBlob implements BridgeTransport {
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger mostInFlight = new AtomicInteger();
        private final ExecutorService senders;
        private final boolean complete;

        VirtualBlob(ExecutorService senders, boolean complete) {
            this.senders = senders;
            this.complete = complete;
        }

        @Override public void publish(String r, byte[] m) { throw new UnsupportedOperationException(); }
        @Override public List<Notifications.Notification> poll(Duration t) { throw new UnsupportedOperationException(); }
        @Override public void ack(String id) { throw new UnsupportedOperationException(); }

        @Override public CompletableFuture<Void> readBlobRange(String name, long start, int length, BlobRangeSink sink) {
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            return CompletableFuture.runAsync(() -> {
                try {
                    sink.started(complete ? SIZE : -1);
                    ByteBuffer b = ByteBuffer.allocate(64 * 1024);
                    long end = Math.min(SIZE, start + length);
                    for (long p = start; p < end; ) {
                        b.clear();
                        int n = (int) Math.min(b.capacity(), end - p);
                        for (int i = 0; i < n; i++) b.put(byteAt(p + i));
                        b.flip();
                        sink.accept(b);
                        p += n;
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } finally {
                    inFlight.decrementAndGet();
                }
            }, senders);
        }
    }
}
