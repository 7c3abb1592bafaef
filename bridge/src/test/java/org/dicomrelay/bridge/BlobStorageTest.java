package org.dicomrelay.bridge;

import org.dicomrelay.testkit.MovableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.bridge.BridgeException;
import org.dicomrelay.relay.cloud.BlobAccount;
import org.dicomrelay.relay.cloud.BlobPart;
import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.BridgeTransport;
import org.dicomrelay.relay.cloud.Notifications;
import org.dicomrelay.relay.cloud.bridge.BridgeBlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, point 1: the Bridge stores the routers' (sealed) blobs, in parts, streaming; only the
 * recipient reads, sender or recipient deletes, anyone else hears 404; a quota per sender (429 for
 * that sender only); unconsumed blobs and abandoned uploads expire; a revoked router's blobs go;
 * the files are 0600 in folders 0700.
 */
class BlobStorageTest {
    private static final int PART = 4096;

    @TempDir
    Path dir;

    /** Watches what the client sends: every part, and how big the buffer holding it is. */
    static class Watching implements BridgeTransport {
        final BridgeClient client;
        final List<Integer> partLengths = new ArrayList<>();
        int largestBuffer;

        Watching(BridgeClient client) {
            this.client = client;
        }

        @Override public void publish(String r, byte[] m) throws IOException { client.publish(r, m); }
        @Override public List<Notifications.Notification> poll(Duration t) throws IOException { return client.poll(t); }
        @Override public void ack(String id) throws IOException { client.ack(id); }
        @Override public BlobAccount blobAccount() throws IOException { return client.blobAccount(); }
        @Override public InputStream openBlob(String name) throws IOException { return client.openBlob(name); }
        @Override public void deleteBlob(String name) throws IOException { client.deleteBlob(name); }

        @Override public CompletableFuture<Void> readBlobRange(String name, long start, int length, org.dicomrelay.relay.cloud.BlobRangeSink sink) {
            return client.readBlobRange(name, start, length, sink);
        }

        @Override public synchronized CompletableFuture<Void> putBlobPart(BlobPart p) {
            partLengths.add(p.length());
            largestBuffer = Math.max(largestBuffer, p.data().length);
            return client.putBlobPart(p);
        }
    }

    private TestBridge bridge(MovableClock clock, long quota) throws IOException {
        return new TestBridge(dir.resolve("bridge"), b -> b.blobPartBytes(PART).blobQuotaBytes(quota).blobMaxAge(Duration.ofHours(2)), clock);
    }

    private static byte[] upload(BlobStore store, String name, String to, int size) throws IOException {
        byte[] data = TestBridge.randomBytes(size);
        try (BlobStore.Upload up = store.create(name, to)) {
            for (int off = 0; off < size; off += 1000) up.write(data, off, Math.min(1000, size - off));
        }
        return data;
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void partsAreStreamedAndOnlyTheRecipientReads() throws Exception {
        try (TestBridge bridge = bridge(new MovableClock(), 1 << 20)) {
            Watching a = new Watching(bridge.client(bridge.enroll("a")));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            BridgeCredentials cc = bridge.enroll("c");
            BridgeClient c = bridge.client(cc);
            BlobStore storeA = new BridgeBlobStore(a);
            String name = BlobNames.random();
            int size = 3 * PART + 1234;
            byte[] data = TestBridge.randomBytes(size);
            BlobStore.Upload up = storeA.create(name, "b");
            up.write(data, 0, 2 * PART + 10);
            // Two parts are sent before the upload ends: the client holds a few parts at most.
            assertThat(a.partLengths).containsExactly(PART, PART);
            up.write(data, 2 * PART + 10, size - 2 * PART - 10);
            up.close();
            assertThat(a.partLengths).containsExactly(PART, PART, PART, 1234);
            assertThat(a.largestBuffer).isLessThanOrEqualTo(PART);

            try (InputStream in = b.openBlob(name)) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
            // Neither the sender nor a third router may read it; the third may not delete it either; nobody learns it exists.
            assertThatThrownBy(() -> a.openBlob(name)).isInstanceOf(FileNotFoundException.class);
            assertThatThrownBy(() -> c.openBlob(name)).isInstanceOf(FileNotFoundException.class);
            HttpResponse<String> del = bridge.call("DELETE", "/api/router/blobs/" + name, cc.apiKey(), null);
            assertThat(del.statusCode()).isEqualTo(404);
            HttpResponse<String> get = bridge.call("GET", "/api/router/blobs/" + name, cc.apiKey(), null);
            assertThat(get.statusCode()).isEqualTo(404);
            String nobodys = BlobNames.random();
            HttpResponse<String> absent = bridge.call("GET", "/api/router/blobs/" + nobodys, cc.apiKey(), null);
            assertThat(absent.statusCode()).isEqualTo(404);
            assertThat(absent.body().replace(nobodys, name)).isEqualTo(get.body());
            assertThat(files(dir.resolve("bridge/blobs"))).hasSize(1);

            // Consumed: the recipient deletes it, and nothing is left.
            b.deleteBlob(name);
            b.deleteBlob(name); // already gone: not an error
            assertThat(files(dir.resolve("bridge/blobs"))).isEmpty();
            assertThat(bridge.count("SELECT COUNT(*) FROM blobs")).isZero();
        }
    }

    /** With the Bridge's largest part (8 MiB), far above the 1 MiB the Bridge takes for JSON bodies: parts are streamed, not buffered. */
    @Test
    void aBlobOfTenMegabytesGoesInTheLargestPartsAndComesBackWhole() throws Exception {
        try (TestBridge bridge = new TestBridge(dir.resolve("bridge"))) {
            Watching a = new Watching(bridge.client(bridge.enroll("a")));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            assertThat(b.blobAccount().partBytes()).isEqualTo(8 * 1024 * 1024);
            String name = BlobNames.random();
            byte[] data = upload(new BridgeBlobStore(a, 8 * 1024 * 1024, 2), name, "b", 10 * 1024 * 1024);
            assertThat(a.partLengths).containsExactly(8 * 1024 * 1024, 2 * 1024 * 1024);
            try (InputStream in = b.openBlob(name)) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
            b.deleteBlob(name);

            // Read while written (its frame goes once part 0 is stored): part 0 of 1 MiB, so the recipient starts sooner.
            a.partLengths.clear();
            String streamed = BlobNames.random();
            BlobStore.Upload up = new BridgeBlobStore(a, 8 * 1024 * 1024, 2).create(streamed, "b");
            boolean[] readable = {false};
            up.whenReadable(() -> readable[0] = true);
            byte[] more = TestBridge.randomBytes(10 * 1024 * 1024);
            up.write(more);
            up.close();
            assertThat(readable[0]).isTrue();
            assertThat(a.partLengths).containsExactly(1024 * 1024, 8 * 1024 * 1024, 1024 * 1024);
            try (InputStream in = b.openBlob(streamed)) {
                assertThat(in.readAllBytes()).isEqualTo(more);
            }
            b.deleteBlob(streamed);
            assertThat(files(dir.resolve("bridge/blobs"))).isEmpty();
        }
    }

    @Test
    void aPartLargerThanTheLimitIsRefusedWith413() throws Exception {
        try (TestBridge bridge = bridge(new MovableClock(), 1 << 20)) {
            BridgeCredentials a = bridge.enroll("a");
            bridge.enroll("b");
            HttpRequest rq = HttpRequest.newBuilder(bridge.url().resolve("/api/router/blobs/" + BlobNames.random() + "/parts/0?to=b&offset=0"))
                    .header("Authorization", "Bearer " + a.apiKey())
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[PART + 1])).build();
            HttpResponse<String> r = HttpClient.newHttpClient().send(rq, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(413);
            assertThat(r.body()).contains("blobPartBytes");
            assertThat(files(dir.resolve("bridge/blobs"))).isEmpty();
        }
    }

    @Test
    void overQuotaOneSenderGets429WhileAnotherStillUploads() throws Exception {
        try (TestBridge bridge = bridge(new MovableClock(), 10_000)) {
            BlobStore a = new BridgeBlobStore(bridge.client(bridge.enroll("a")));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            BlobStore c = new BridgeBlobStore(bridge.client(bridge.enroll("c")));
            String first = BlobNames.random();
            upload(a, first, "b", 8000);

            BlobStore.Upload refused = a.create(BlobNames.random(), "b");
            refused.write(new byte[4000]);
            BridgeException e = catchThrowableOfType(BridgeException.class, refused::close);
            assertThat(e).as("refused for quota").isNotNull();
            assertThat(e.status()).isEqualTo(429);
            assertThat(e).hasMessageContaining("quota").hasMessageContaining("router a");
            refused.abort();

            String other = BlobNames.random();
            byte[] fromC = upload(c, other, "b", 8000); // another sender is not affected
            try (InputStream in = b.openBlob(other)) {
                assertThat(in.readAllBytes()).isEqualTo(fromC);
            }
            assertThat(b.blobAccount().usedBytes()).isZero(); // b sent nothing

            b.deleteBlob(first); // consumed: a's quota is free again
            upload(a, BlobNames.random(), "b", 8000);
        }
    }

    @Test
    void unconsumedBlobsAndAbandonedUploadsExpire() throws Exception {
        MovableClock clock = new MovableClock();
        try (TestBridge bridge = bridge(clock, 1 << 20)) {
            BlobStore a = new BridgeBlobStore(bridge.client(bridge.enroll("a")));
            bridge.enroll("b");
            String complete = BlobNames.random();
            upload(a, complete, "b", 5000);
            BlobStore.Upload abandoned = a.create(BlobNames.random(), "b");
            abandoned.write(new byte[PART + 1]); // one part sent, then the sender is gone
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> files(dir.resolve("bridge/blobs")).size() == 2);

            clock.advance(Duration.ofMinutes(59));
            assertThat(bridge.server.blobs().sweep()).isZero();
            clock.advance(Duration.ofMinutes(2)); // the upload untouched for over an hour
            assertThat(bridge.server.blobs().sweep()).isEqualTo(1);
            assertThat(files(dir.resolve("bridge/blobs"))).hasSize(1);
            clock.advance(Duration.ofMinutes(60)); // the complete blob older than blobMaxAge (2 h)
            assertThat(bridge.server.blobs().sweep()).isEqualTo(1);
            assertThat(files(dir.resolve("bridge/blobs"))).isEmpty();
            assertThat(bridge.count("SELECT COUNT(*) FROM blobs")).isZero();
        }
    }

    /** A complete blob is on disk and in the database: a Bridge restarted before its recipient read it still serves it. */
    @Test
    void aCompleteBlobSurvivesARestartOfTheBridge() throws Exception {
        try (TestBridge bridge = bridge(new MovableClock(), 1 << 20)) {
            BridgeCredentials a = bridge.enroll("a"), b = bridge.enroll("b");
            String name = BlobNames.random();
            byte[] data = upload(new BridgeBlobStore(bridge.client(a)), name, "b", 2 * PART + 5);
            bridge.restart();
            try (InputStream in = bridge.client(b).openBlob(name)) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
        }
    }

    @Test
    void anAbortedUploadLeavesNothing() throws Exception {
        try (TestBridge bridge = bridge(new MovableClock(), 1 << 20)) {
            BlobStore a = new BridgeBlobStore(bridge.client(bridge.enroll("a")));
            bridge.enroll("b");
            BlobStore.Upload up = a.create(BlobNames.random(), "b");
            up.write(new byte[2 * PART + 1]);
            assertThat(files(dir.resolve("bridge/blobs"))).hasSize(1);
            up.abort();
            assertThat(files(dir.resolve("bridge/blobs"))).isEmpty();
            assertThat(bridge.count("SELECT COUNT(*) FROM blobs")).isZero();
            assertThat(bridge.client(bridge.enroll("c")).blobAccount().usedBytes()).isZero();
        }
    }

    @Test
    void revokingARouterDeletesTheBlobsFromAndToIt() throws Exception {
        try (TestBridge bridge = bridge(new MovableClock(), 1 << 20)) {
            BlobStore a = new BridgeBlobStore(bridge.client(bridge.enroll("a")));
            BlobStore b = new BridgeBlobStore(bridge.client(bridge.enroll("b")));
            BlobStore c = new BridgeBlobStore(bridge.client(bridge.enroll("c")));
            upload(a, BlobNames.random(), "b", 100);
            upload(b, BlobNames.random(), "a", 100);
            String kept = BlobNames.random();
            upload(c, kept, "b", 100);
            assertThat(bridge.admin("POST", "/api/admin/routers/a/revoke", null).statusCode()).isEqualTo(200);
            assertThat(files(dir.resolve("bridge/blobs"))).hasSize(1);
            assertThat(bridge.count("SELECT COUNT(*) FROM blobs WHERE name = '" + kept + "'")).isEqualTo(1);
            // and nothing new can be addressed to it
            BlobStore.Upload up = b.create(BlobNames.random(), "a");
            up.write(1);
            BridgeException gone = catchThrowableOfType(BridgeException.class, up::close);
            assertThat(gone.status()).isEqualTo(410);
        }
    }

    @Test
    void blobFilesAre0600InFolders0700() throws Exception {
        Path probe = Files.createFile(dir.resolve("probe"));
        assumeTrue(mode(probe).equals("rw-r--r--"), "the umask already keeps others out: nothing to prove");
        try (TestBridge bridge = bridge(new MovableClock(), 1 << 20)) {
            BlobStore a = new BridgeBlobStore(bridge.client(bridge.enroll("a")));
            bridge.enroll("b");
            upload(a, BlobNames.random(), "b", 3 * PART);
            BlobStore.Upload partial = a.create(BlobNames.random(), "b");
            partial.write(new byte[PART + 1]);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> files(dir.resolve("bridge/blobs")).size() == 2);
            List<String> wrong = new ArrayList<>();
            int checked = 0;
            try (Stream<Path> s = Files.walk(dir.resolve("bridge/blobs"))) {
                for (Path p : s.toList()) {
                    checked++;
                    if (!mode(p).equals(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------")) wrong.add(p + " " + mode(p));
                }
            }
            assertThat(checked).isGreaterThanOrEqualTo(3);
            assertThat(wrong).isEmpty();
            partial.abort();
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }
}
