package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeUnreachableException;
import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobRangeSink;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.bridge.BridgeBlobStore;
import org.dicomrelay.testkit.MovableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 10, item 2 ("downloaded in parallel"): the recipient reads a blob in byte ranges (RFC 9110
 * section 14, {@code Range: bytes=FIRST-LAST}, 206 / 416 answers), several at once, assembled in
 * order: byte-identical whatever the size around range and part boundaries, complete or still being
 * uploaded; a range cut off mid-body asks again for its rest only.
 */
class BlobRangeTest {
    private static final int PART = 4096;
    /** Not a divisor of the part size: ranges straddle parts. */
    private static final int RANGE = 3000;

    @TempDir
    Path dir;

    private final ExecutorService readers = Executors.newCachedThreadPool();

    @AfterEach
    void stopReaders() {
        readers.shutdownNow();
    }

    private TestBridge bridge() throws IOException {
        return new TestBridge(dir.resolve("bridge"), b -> b.blobPartBytes(PART).blobQuotaBytes(1 << 24).blobIdleTimeout(Duration.ofSeconds(30)),
                new MovableClock());
    }

    private static void upload(BlobStore store, String name, byte[] data) throws IOException {
        try (BlobStore.Upload up = store.create(name, "b")) {
            for (int off = 0; off < data.length; off += 1000) up.write(data, off, Math.min(1000, data.length - off));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, RANGE - 1, RANGE, RANGE + 1, PART - 1, PART, PART + 1, 3 * RANGE, 3 * RANGE + 1, 4 * RANGE - 1, 7 * PART + 5, 20 * RANGE})
    void aCompleteBlobReadInRangesThreeAtOnceIsByteIdentical(int size) throws Exception {
        try (TestBridge bridge = bridge()) {
            BlobStore a = new BridgeBlobStore(bridge.client(bridge.enroll("a")), PART, 3);
            Counting b = new Counting(bridge.client(bridge.enroll("b")));
            String name = BlobNames.random();
            byte[] data = TestBridge.randomBytes(size);
            upload(a, name, data);
            try (InputStream in = new BridgeBlobStore(b, PART, 3, RANGE, 3).open(name)) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
            int ranges = Math.max(1, (size + RANGE - 1) / RANGE);
            assertThat(b.starts).as("one request per range, none beyond the end").hasSize(ranges);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {PART + 1, 2 * PART, 6 * RANGE, 9 * PART + 7})
    void aBlobStillBeingUploadedIsReadInRangesAsItsPartsCome(int size) throws Exception {
        try (TestBridge bridge = bridge()) {
            BlobStore a = new BridgeBlobStore(bridge.client(bridge.enroll("a")), PART, 2);
            BlobStore b = new BridgeBlobStore(bridge.client(bridge.enroll("b")), PART, 2, RANGE, 3);
            String name = BlobNames.random();
            byte[] data = TestBridge.randomBytes(size);
            BlobStore.Upload up = a.create(name, "b");
            up.write(data, 0, PART + 1); // part 0 goes once more bytes follow it
            await().atMost(Duration.ofSeconds(10)).until(() -> bridge.count("SELECT COUNT(*) FROM blobs WHERE parts >= 1 AND name = '" + name + "'") == 1);
            Future<byte[]> read = readers.submit(() -> {
                try (InputStream in = b.open(name)) {
                    return in.readAllBytes();
                }
            });
            int written = PART + 1;
            up.write(data, written, data.length - written);
            up.close();
            assertThat(read.get()).isEqualTo(data);
        }
    }

    /**
     * The answer to the second range is cut off (the transport reports no answer, as when a
     * connection drops) after {@code kept} of its bytes: the reader asks for the rest of that range
     * only, from where the cut fell (nothing if the cut came after its last byte), and reads the
     * blob whole.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, RANGE / 2, RANGE - 1, RANGE})
    void aRangeCutOffMidBodyIsAskedForAgainFromWhereItWasCut(int kept) throws Exception {
        try (TestBridge bridge = bridge()) {
            BlobStore a = new BridgeBlobStore(bridge.client(bridge.enroll("a")), PART, 3);
            BridgeClient bClient = bridge.client(bridge.enroll("b"));
            String name = BlobNames.random();
            byte[] data = TestBridge.randomBytes(5 * RANGE + 11);
            upload(a, name, data);
            Counting cutting = new Counting(bClient) {
                @Override public CompletableFuture<Void> readBlobRange(String n, long start, int length, BlobRangeSink sink) {
                    record(start);
                    if (start != RANGE) return client.readBlobRange(n, start, length, sink);
                    // forwards the first bytes of the range, then stops reading and reports the connection lost
                    int[] passed = {0};
                    BlobRangeSink half = new BlobRangeSink() {
                        @Override public void started(long size) throws IOException { sink.started(size); }

                        @Override public void accept(ByteBuffer bytes) throws IOException {
                            int n = Math.min(bytes.remaining(), kept - passed[0]);
                            if (n > 0) sink.accept(bytes.slice(bytes.position(), n));
                            passed[0] += n;
                            if (passed[0] >= kept) throw new IOException("cut by the test");
                        }
                    };
                    return client.readBlobRange(n, start, length, half).handle((v, e) -> {
                        throw new java.util.concurrent.CompletionException(new BridgeUnreachableException("connection cut by the test", new IOException("cut")));
                    });
                }
            };
            try (InputStream in = new BridgeBlobStore(cutting, PART, 3, RANGE, 3).open(name)) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
            assertThat(cutting.starts).as("the object not restarted").filteredOn(s -> s == 0).hasSize(1);
            if (kept < RANGE) assertThat(cutting.starts).as("the rest of the cut range asked for").contains((long) RANGE, (long) RANGE + kept);
            else assertThat(cutting.starts).as("nothing left of the cut range to ask for: one request per range").hasSize(6);
        }
    }

    @Test
    void anAbsentBlobOrAnotherRoutersIsNotFoundAtOpen() throws Exception {
        try (TestBridge bridge = bridge()) {
            BlobStore a = new BridgeBlobStore(bridge.client(bridge.enroll("a")), PART, 3);
            bridge.enroll("b");
            BridgeClient c = bridge.client(bridge.enroll("c"));
            String name = BlobNames.random();
            upload(a, name, TestBridge.randomBytes(2 * RANGE));
            BlobStore asC = new BridgeBlobStore(c, PART, 3, RANGE, 3);
            assertThatThrownBy(() -> asC.open(name)).as("addressed to b").isInstanceOf(FileNotFoundException.class);
            assertThatThrownBy(() -> asC.open(BlobNames.random())).as("absent").isInstanceOf(FileNotFoundException.class);
        }
    }

    /** RFC 9110 section 15.5.17: a range starting at or beyond the end of a complete blob is 416, with its size. */
    @Test
    void aRangeBeyondTheEndOfACompleteBlobGetsNoBytesAndItsSize() throws Exception {
        try (TestBridge bridge = bridge()) {
            BlobStore a = new BridgeBlobStore(bridge.client(bridge.enroll("a")), PART, 3);
            BridgeClient b = bridge.client(bridge.enroll("b"));
            String name = BlobNames.random();
            upload(a, name, TestBridge.randomBytes(100));
            List<Long> sizes = new ArrayList<>();
            int[] bytes = {0};
            b.readBlobRange(name, 100, 50, new BlobRangeSink() {
                @Override public void started(long size) { sizes.add(size); }

                @Override public void accept(ByteBuffer buffer) {
                    bytes[0] += buffer.remaining();
                    buffer.position(buffer.limit());
                }
            }).get();
            assertThat(sizes).containsExactly(100L);
            assertThat(bytes[0]).isZero();
            byte[] tail = new byte[10];
            int[] got = {0};
            b.readBlobRange(name, 95, 50, new BlobRangeSink() {
                @Override public void started(long size) { sizes.add(size); }

                @Override public void accept(ByteBuffer buffer) {
                    int n = buffer.remaining();
                    buffer.get(tail, got[0], n);
                    got[0] += n;
                }
            }).get();
            assertThat(got[0]).as("the range ends where the blob does").isEqualTo(5);
            assertThat(Arrays.copyOf(tail, 5)).isEqualTo(Arrays.copyOfRange(bridgeBytes(b, name), 95, 100));
        }
    }

    private static byte[] bridgeBytes(BridgeClient b, String name) throws IOException {
        try (InputStream in = b.openBlob(name)) {
            return in.readAllBytes();
        }
    }

    /** Records where each range request starts. */
    static class Counting extends BlobStorageTest.Watching {
        final List<Long> starts = java.util.Collections.synchronizedList(new ArrayList<>());

        Counting(BridgeClient client) {
            super(client);
        }

        synchronized void record(long start) {
            starts.add(start);
        }

        @Override public CompletableFuture<Void> readBlobRange(String name, long start, int length, BlobRangeSink sink) {
            record(start);
            return client.readBlobRange(name, start, length, sink);
        }
    }
}
