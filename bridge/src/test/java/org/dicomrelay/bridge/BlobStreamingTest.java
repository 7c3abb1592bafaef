package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.bridge.BridgeUnreachableException;
import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobPart;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.bridge.BridgeBlobStore;
import org.dicomrelay.testkit.MovableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 10, item 2 (parts): the Bridge's blobs are readable while written (the recipient streams
 * the parts as they are stored, and fails when the upload is aborted or stalls), and an upload keeps
 * several parts in flight, committed in order, byte-identical whatever the size; a part whose
 * connection is cut is sent again without a duplicate part.
 */
class BlobStreamingTest {
    private static final int PART = 4096;

    @TempDir
    Path dir;

    private final ExecutorService readers = Executors.newCachedThreadPool();

    @AfterEach
    void stopReaders() {
        readers.shutdownNow();
    }

    private TestBridge bridge(Duration idle) throws IOException {
        return new TestBridge(dir.resolve("bridge"), b -> b.blobPartBytes(PART).blobQuotaBytes(1 << 24).blobIdleTimeout(idle), new MovableClock());
    }

    /** An upload from router a to router b, {@code bytes} written and its part 0 stored, not yet closed. */
    private record Started(BlobStore.Upload upload, BridgeClient recipient, String name) {}

    private static Started startUpload(TestBridge bridge, int bytes) throws Exception {
        BlobStore a = new BridgeBlobStore(bridge.client(bridge.enroll("a")), PART, 3);
        BridgeClient b = bridge.client(bridge.enroll("b"));
        String name = BlobNames.random();
        BlobStore.Upload up = a.create(name, "b");
        up.write(TestBridge.randomBytes(bytes));
        await().atMost(Duration.ofSeconds(10)).until(() -> bridge.count("SELECT parts FROM blobs WHERE name = '" + name + "'") >= 1);
        return new Started(up, b, name);
    }

    private Future<byte[]> readInBackground(BridgeClient b, String name) {
        return readers.submit(() -> {
            try (InputStream in = b.openBlob(name)) {
                return in.readAllBytes();
            }
        });
    }

    @Test
    void aReaderOpensMidUploadAndReceivesEveryByteInOrderWhileTheWriterContinues() throws Exception {
        try (TestBridge bridge = bridge(Duration.ofSeconds(30))) {
            BlobStore a = new BridgeBlobStore(bridge.client(bridge.enroll("a")), PART, 3);
            BridgeClient b = bridge.client(bridge.enroll("b"));
            String name = BlobNames.random();
            byte[] data = TestBridge.randomBytes(10 * PART + 77);
            AtomicInteger readableAt = new AtomicInteger(-1);
            BlobStore.Upload up = a.create(name, "b");
            int[] written = {0};
            up.whenReadable(() -> readableAt.set(written[0]));
            up.write(data, 0, 2 * PART + 1); // part 0 goes, and part 1 once part 0 is stored
            written[0] = 2 * PART + 1;
            await().atMost(Duration.ofSeconds(10)).until(() -> bridge.count("SELECT parts FROM blobs WHERE name = '" + name + "'") >= 1);
            Future<byte[]> read;
            try (InputStream in = b.openBlob(name)) {
                // What is stored already comes at once, while the upload is far from done.
                assertThat(in.readNBytes(PART)).isEqualTo(java.util.Arrays.copyOf(data, PART));
            }
            read = readInBackground(b, name);
            await().atMost(Duration.ofSeconds(10)).until(() -> bridge.count("SELECT parts FROM blobs WHERE name = '" + name + "'") >= 2);
            assertThat(read).as("the reader waits for the parts to come").isNotDone();
            up.write(data, written[0], data.length - written[0]);
            up.close();
            assertThat(read.get()).isEqualTo(data);
            assertThat(readableAt.get()).as("readable once part 0 was stored: within the first write, which waited for it").isZero();
        }
    }

    @Test
    void anUploadAbortedMidWayFailsItsReader() throws Exception {
        try (TestBridge bridge = bridge(Duration.ofSeconds(30))) {
            Started s = startUpload(bridge, 3 * PART + 1);
            Future<byte[]> read = readInBackground(s.recipient(), s.name());
            s.upload().abort();
            assertThatThrownBy(read::get).as("never a clean end").hasCauseInstanceOf(IOException.class);
            assertThat(files()).isEmpty();
        }
    }

    @Test
    void anUploadThatStallsFailsItsReaderAfterTheIdleTime() throws Exception {
        try (TestBridge bridge = bridge(Duration.ofMillis(700))) {
            Started s = startUpload(bridge, PART + 1); // part 0 sent; the sender then goes quiet
            Future<byte[]> read = readInBackground(s.recipient(), s.name());
            assertThatThrownBy(() -> read.get(20, java.util.concurrent.TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
            s.upload().abort();
        }
    }

    /**
     * The recipient reads the part next in order as it is written, not once it is committed: it no longer trails
     * the sender by a whole part (8 MiB by default), which at the end of an object was a part's upload and then its
     * download, one after the other.
     */
    @Test
    void theRecipientReadsThePartNextInOrderWhileItIsWritten() throws Exception {
        int part = 2 * 1024 * 1024;
        try (TestBridge bridge = new TestBridge(dir.resolve("bridge"), x -> x.blobPartBytes(part).blobQuotaBytes(1 << 24),
                new MovableClock())) {
            BridgeCredentials ac = bridge.enroll("a");
            BridgeClient b = bridge.client(bridge.enroll("b"));
            String name = BlobNames.random();
            byte[] first = TestBridge.randomBytes(1000), second = TestBridge.randomBytes(part);
            bridge.client(ac).putBlobPart(new BlobPart(name, "b", 0, 0, first, first.length, false)).get();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            AtomicInteger read = new AtomicInteger();
            Future<?> reader = readers.submit(() -> {
                try (InputStream in = b.openBlob(name)) {
                    byte[] buf = new byte[8192];
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        synchronized (got) {
                            got.write(buf, 0, n);
                        }
                        read.addAndGet(n);
                    }
                }
                return null;
            });
            var url = bridge.url();
            try (Socket s = new Socket("127.0.0.1", url.getPort())) {
                OutputStream out = s.getOutputStream();
                out.write(("PUT /api/router/blobs/" + name + "/parts/1?to=b&offset=" + first.length + "&last=true HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Authorization: Bearer " + ac.apiKey() + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + part
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(second, 0, part / 2);
                out.flush();
                await().atMost(Duration.ofSeconds(10)).until(() -> read.get() >= first.length + part / 4);
                assertThat(bridge.count("SELECT parts FROM blobs WHERE name = '" + name + "'")).as("part 1 not committed yet").isEqualTo(1);
                assertThat(read.get()).as("no further than written").isLessThanOrEqualTo(first.length + part / 2);
                out.write(second, part / 2, part - part / 2);
                out.flush();
                String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                assertThat(status).isEqualTo("HTTP/1.1 200");
            }
            reader.get(10, java.util.concurrent.TimeUnit.SECONDS);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.write(first);
            expected.write(second);
            assertThat(got.toByteArray()).isEqualTo(expected.toByteArray());
        }
    }

    /**
     * A download blocks on a TLS socket, where an interrupt does nothing (and {@code HttpURLConnection.disconnect()}
     * waits for the reader's lock): closing the client must still free its reader.
     */
    @Test
    void closingTheClientCutsADownloadThatWaitsForParts() throws Exception {
        try (TestBridge bridge = new TestBridge(dir.resolve("bridge"),
                x -> TestBridge.HTTPS.apply(x.blobPartBytes(PART).blobQuotaBytes(1 << 24).blobIdleTimeout(Duration.ofMinutes(5))),
                new MovableClock())) {
            Started s = startUpload(bridge, PART + 1); // part 0 sent; the rest never comes
            BridgeClient b = s.recipient();
            String name = s.name();
            AtomicInteger read = new AtomicInteger();
            Future<byte[]> reader = readers.submit(() -> {
                try (InputStream in = b.openBlob(name)) {
                    byte[] buf = new byte[1024];
                    for (int n; (n = in.read(buf)) >= 0; ) read.addAndGet(n);
                    return null;
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> read.get() == PART); // part 0 read: now it waits for part 1
            b.close();
            assertThatThrownBy(() -> reader.get(10, java.util.concurrent.TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
            assertThatThrownBy(() -> b.openBlob(name)).isInstanceOf(IOException.class).hasMessageContaining("closed");
            s.upload().abort();
        }
    }

    @Test
    void whileWrittenOnlyTheRecipientReads() throws Exception {
        try (TestBridge bridge = bridge(Duration.ofSeconds(30))) {
            BridgeClient aClient = bridge.client(bridge.enroll("a"));
            BlobStore a = new BridgeBlobStore(aClient, PART, 3);
            bridge.enroll("b");
            BridgeClient c = bridge.client(bridge.enroll("c"));
            String name = BlobNames.random();
            BlobStore.Upload up = a.create(name, "b");
            up.write(TestBridge.randomBytes(2 * PART + 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> bridge.count("SELECT parts FROM blobs WHERE name = '" + name + "'") >= 1);
            assertThatThrownBy(() -> aClient.openBlob(name)).as("not the sender").isInstanceOf(FileNotFoundException.class);
            assertThatThrownBy(() -> c.openBlob(name)).as("not a third router").isInstanceOf(FileNotFoundException.class);
            up.abort();
        }
    }

    /** Sizes around the part boundaries, three parts in flight: what the recipient reads is what was written. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, PART - 1, PART, PART + 1, 2 * PART, 3 * PART - 1, 3 * PART + 1, 7 * PART, 16 * PART + 5})
    void partsInFlightArriveByteIdentical(int size) throws Exception {
        try (TestBridge bridge = bridge(Duration.ofSeconds(30))) {
            BlobStore a = new BridgeBlobStore(bridge.client(bridge.enroll("a")), PART, 3);
            BridgeClient b = bridge.client(bridge.enroll("b"));
            String name = BlobNames.random();
            byte[] data = TestBridge.randomBytes(size);
            try (BlobStore.Upload up = a.create(name, "b")) {
                for (int off = 0; off < size; off += 1000) up.write(data, off, Math.min(1000, size - off));
            }
            try (InputStream in = b.openBlob(name)) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
            assertThat(bridge.count("SELECT size_bytes FROM blobs WHERE name = '" + name + "'")).isEqualTo(size);
            assertThat(Files.size(files().get(0))).as("nothing of a failed attempt left beyond the end").isEqualTo(size);
        }
    }

    /**
     * A part's connection cut mid-body (half of it sent, then the socket closed): the client sends
     * the part again and the blob is whole, each part stored once. And a part stored whose answer was
     * lost is answered again when sent again, not stored twice.
     */
    @Test
    void aPartCutOffMidWayIsSentAgainAndStoredOnce() throws Exception {
        try (TestBridge bridge = bridge(Duration.ofSeconds(30))) {
            BridgeCredentials ac = bridge.enroll("a");
            BridgeClient aClient = bridge.client(ac);
            BridgeClient b = bridge.client(bridge.enroll("b"));
            List<String> attempts = new ArrayList<>();
            BlobStorageTest.Watching cutting = new BlobStorageTest.Watching(aClient) {
                @Override public synchronized CompletableFuture<Void> putBlobPart(BlobPart p) {
                    attempts.add(p.index() + "");
                    long tries = attempts.stream().filter(s -> s.equals(p.index() + "")).count();
                    if (p.index() == 2 && tries == 1) {
                        cutMidBody(bridge, ac, p);
                        return CompletableFuture.failedFuture(new BridgeUnreachableException("connection cut by the test", new IOException("cut")));
                    }
                    if (p.index() == 4 && tries == 1) {
                        // stored, but the answer is lost
                        return aClient.putBlobPart(p).thenCompose(v -> CompletableFuture.failedFuture(
                                new BridgeUnreachableException("answer lost by the test", new IOException("lost"))));
                    }
                    return super.putBlobPart(p);
                }
            };
            String name = BlobNames.random();
            byte[] data = TestBridge.randomBytes(6 * PART + 3);
            try (BlobStore.Upload up = new BridgeBlobStore(cutting, PART, 3).create(name, "b")) {
                up.write(data);
            }
            assertThat(attempts).filteredOn("2"::equals).hasSize(2);
            assertThat(attempts).filteredOn("4"::equals).hasSize(2);
            try (InputStream in = b.openBlob(name)) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
            assertThat(bridge.count("SELECT parts FROM blobs WHERE name = '" + name + "'")).isEqualTo(7);
        }
    }

    /** Sends the head of the part's request and half its body over a raw connection, then closes it. */
    private static void cutMidBody(TestBridge bridge, BridgeCredentials ac, BlobPart p) {
        var url = bridge.url();
        try (Socket s = new Socket("127.0.0.1", url.getPort())) {
            OutputStream out = s.getOutputStream();
            String head = "PUT /api/router/blobs/" + p.name() + "/parts/" + p.index() + "?to=" + p.recipient() + "&offset=" + p.offset()
                    + (p.last() ? "&last=true" : "") + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ac.apiKey()
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + p.length() + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(p.data(), 0, p.length() / 2);
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve("bridge/blobs"))) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
