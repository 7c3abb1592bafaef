package org.dicomrelay.relay.cloud.bridge;

import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client half of Cloud IO "bridge": parts of at most the Bridge's part size, in order, one
 * buffered at a time, the last one flagged (it completes the blob); abort deletes what was sent.
 */
class BridgeBlobStoreTest {
    private static final int PART = 1000;

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void aBlobOfMoreThanThreePartsGoesPartByPartAndReadsBack() throws IOException {
        FakeBlobBridge bridge = new FakeBlobBridge(PART, false);
        BlobStore store = new BridgeBlobStore(bridge);
        String name = BlobNames.random();
        byte[] data = random(3 * PART + 17);
        try (BlobStore.Upload up = store.create(name, "hospital-b")) {
            up.write(data, 0, 1500);
            assertThat(bridge.parts).as("a full part goes as soon as more bytes follow it").hasSize(1);
            up.write(data[1500]);
            up.write(data, 1501, data.length - 1501);
        }
        assertThat(bridge.parts).extracting(FakeBlobBridge.Part::index).containsExactly(0, 1, 2, 3);
        assertThat(bridge.parts).extracting(FakeBlobBridge.Part::length).containsExactly(PART, PART, PART, 17);
        assertThat(bridge.parts).extracting(FakeBlobBridge.Part::last).containsExactly(false, false, false, true);
        assertThat(bridge.parts).allSatisfy(p -> {
            assertThat(p.bufferLength()).as("never more than one part in memory").isLessThanOrEqualTo(PART);
            assertThat(p.to()).isEqualTo("hospital-b");
        });
        try (InputStream in = store.open(name)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        assertThat(bridge.accountCalls).as("the part size is asked once").isEqualTo(1);
        store.create(BlobNames.random(), "hospital-b").close();
        assertThat(bridge.accountCalls).isEqualTo(1);
    }

    @Test
    void aBlobOfExactlyTwoPartsEndsWithItsSecondAndAnEmptyBlobIsOneEmptyLastPart() throws IOException {
        FakeBlobBridge bridge = new FakeBlobBridge(PART, false);
        BlobStore store = new BridgeBlobStore(bridge);
        try (BlobStore.Upload up = store.create(BlobNames.random(), "hospital-b")) {
            up.write(random(2 * PART));
        }
        assertThat(bridge.parts).extracting(FakeBlobBridge.Part::length).containsExactly(PART, PART);
        assertThat(bridge.parts.get(1).last()).isTrue();
        bridge.parts.clear();
        store.create(BlobNames.random(), "hospital-b").close();
        assertThat(bridge.parts).extracting(FakeBlobBridge.Part::length).containsExactly(0);
        assertThat(bridge.parts.get(0).last()).isTrue();
    }

    @Test
    void abortDeletesWhatWasSentAndNothingElse() throws IOException {
        FakeBlobBridge bridge = new FakeBlobBridge(PART, false);
        BlobStore store = new BridgeBlobStore(bridge);
        BlobStore.Upload small = store.create(BlobNames.random(), "hospital-b");
        small.write(random(10));
        small.abort();
        assertThat(bridge.parts).isEmpty();
        assertThat(bridge.deleted).as("nothing reached the Bridge").isEmpty();

        String name = BlobNames.random();
        BlobStore.Upload big = store.create(name, "hospital-b");
        big.write(random(PART + 1));
        big.abort();
        assertThat(bridge.deleted).containsExactly(name);
        assertThatThrownBy(() -> big.write(1)).isInstanceOf(IOException.class);
    }

    @Test
    void aRefusedPartFailsTheUploadAndItsAbortDeletesIt() throws IOException {
        FakeBlobBridge bridge = new FakeBlobBridge(PART, false);
        bridge.failPart = new IOException("Bridge: over quota (HTTP 429)");
        BlobStore store = new BridgeBlobStore(bridge);
        String name = BlobNames.random();
        BlobStore.Upload up = store.create(name, "hospital-b");
        up.write(random(10));
        assertThatThrownBy(up::close).hasMessageContaining("429");
        up.abort();
        assertThat(bridge.deleted).containsExactly(name);
    }

    @Test
    void theProviderIsFoundByNameAndNeedsTheBridgeConnection() throws IOException {
        CloudProvider p = CloudProvider.named("bridge");
        assertThatThrownBy(() -> p.blobStore(Map.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Bridge connection");
        assertThat(p.blobStore(Map.of(), new FakeBlobBridge(PART, false))).isInstanceOf(BridgeBlobStore.class);
        assertThatThrownBy(() -> p.notifications(Map.of(), "hospital-a", null)).isInstanceOf(IllegalArgumentException.class);
    }

    /** {@code rangesInFlight} above 1 reads in ranges (here served at once by the fake); 0 or words are refused with the setting's name. */
    @Test
    void theProviderReadsInRangesWhenRangesInFlightIsSet() throws IOException {
        CloudProvider p = CloudProvider.named("bridge");
        FakeBlobBridge bridge = new FakeBlobBridge(PART, false);
        BlobStore store = p.blobStore(Map.of("rangesInFlight", "3", "rangeBytes", "700"), bridge);
        String name = BlobNames.random();
        byte[] data = random(5 * 700 + 1);
        try (BlobStore.Upload up = store.create(name, "hospital-b")) {
            up.write(data);
        }
        try (InputStream in = store.open(name)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        assertThat(bridge.ranges).as("ranges of 700 bytes, the last one short").hasSize(6);
        assertThatThrownBy(() -> p.blobStore(Map.of("rangesInFlight", "0"), bridge)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rangesInFlight");
        assertThatThrownBy(() -> p.blobStore(Map.of("rangeBytes", "big"), bridge)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rangeBytes");
    }

    @Test
    void partZeroGoesAloneThenAtMostPartsInFlightAndTheReadableActionRunsOnceOnTheWritingThread() throws Exception {
        java.util.List<java.util.concurrent.CompletableFuture<Void>> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.List<org.dicomrelay.relay.cloud.BlobPart> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean answerAtOnce = new java.util.concurrent.atomic.AtomicBoolean();
        org.dicomrelay.relay.cloud.BridgeTransport slow = new FakeBlobBridge(PART, true) {
            @Override public java.util.concurrent.CompletableFuture<Void> putBlobPart(org.dicomrelay.relay.cloud.BlobPart p) {
                sent.add(p);
                java.util.concurrent.CompletableFuture<Void> f = new java.util.concurrent.CompletableFuture<>();
                answers.add(f);
                if (answerAtOnce.get()) f.complete(null);
                return f;
            }
        };
        BlobStore store = new BridgeBlobStore(slow, PART, 3);
        BlobStore.Upload up = store.create(BlobNames.random(), "hospital-b");
        Thread writer = Thread.currentThread();
        java.util.concurrent.atomic.AtomicInteger readable = new java.util.concurrent.atomic.AtomicInteger();
        up.whenReadable(() -> {
            assertThat(Thread.currentThread()).isSameAs(writer);
            readable.incrementAndGet();
        });
        java.util.concurrent.ExecutorService answering = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            // The writer blocks (part 1 waits for part 0's answer); answer part 0 from another thread once it is sent.
            java.util.concurrent.Future<?> answered = answering.submit(() -> {
                org.awaitility.Awaitility.await().until(() -> answers.size() == 1);
                assertThat(sent).hasSize(1);
                answers.get(0).complete(null);
                // then parts 1, 2, 3 go without answers, and part 4 waits for part 1
                org.awaitility.Awaitility.await().until(() -> answers.size() == 4);
                assertThat(answers.size()).as("no more than 3 in flight").isEqualTo(4);
                answers.get(1).complete(null);
                org.awaitility.Awaitility.await().until(() -> answers.size() == 5);
                answerAtOnce.set(true);
                answers.forEach(f -> f.complete(null));
                return null;
            });
            up.write(random(5 * PART + 1)); // parts 0-4 full, the last 1 byte stays buffered
            answered.get();
            up.close();
        } finally {
            answering.shutdownNow();
        }
        assertThat(sent).extracting(org.dicomrelay.relay.cloud.BlobPart::offset).containsExactly(0L, 1000L, 2000L, 3000L, 4000L, 5000L);
        assertThat(readable.get()).isEqualTo(1);
    }
}
