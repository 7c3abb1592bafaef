package org.dicomrelay.router;

import org.dicomrelay.dicom.io.SyntheticStudy;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.BridgeTransport;
import org.dicomrelay.relay.cloud.BridgeNotifications;
import org.dicomrelay.relay.cloud.Notifications;
import org.dicomrelay.relay.cloud.fs.FileSystemBlobStore;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RetryPolicy;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.CloudCourier;
import org.dicomrelay.router.link.MemoryInboxes;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.StoredFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10, "bundles of mixed sizes arrive byte-identical": router A bundles the small C-STOREs of one
 * association (up to 1 MiB each, 4 MiB a bundle), sends a larger one alone, and router B stores each entry
 * into DCMTK storescp (+B, bit preserving) as its own C-STORE. A segment forged in the middle of a bundle
 * aborts the C-STORE of the entry being read (PS3.8 A-ABORT: storescp commits nothing of it), the later
 * entries are answered with a transient failure, and router A's spool sends them all again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class BundlesThroughRoutersTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private Path work, storescpDir;
    private Peers.Server storescp;
    private Router a, b;
    private final ForgingBlobStore cloudOfA = new ForgingBlobStore();
    /** Notifications router B took from its inbox. */
    private final AtomicInteger notificationsToB = new AtomicInteger();

    @BeforeAll void start() throws Exception {
        work = Files.createTempDirectory("bundles");
        Path cloud = Files.createDirectories(work.resolve("cloud"));
        storescpDir = Files.createDirectories(work.resolve("storescp"));
        int port = Peers.freePort();
        storescp = Peers.startServer(List.of("storescp", "+B", "-od", storescpDir.toString(), "-aet", "PACS_B", String.valueOf(port)),
                port, null, Map.of());
        MemoryInboxes inboxes = new MemoryInboxes();
        RouterKeys ka = RouterKeys.generate(), kb = RouterKeys.generate();
        Map<String, PublicKeys> directory = Map.of("hospital-a", ka.publicKeys("hospital-a"), "hospital-b", kb.publicKeys("hospital-b"));
        cloudOfA.delegate = new FileSystemBlobStore(cloud);
        // A linger long enough for one association's objects (each forced to the spool) to share a bundle on a busy machine.
        CloudCourier ca = new CloudCourier("hospital-a", ka, directory::get, cloudOfA, new BridgeNotifications(inboxes.transport("hospital-a")))
                .bundling(1 << 20, 4 << 20, Duration.ofSeconds(2));
        CloudCourier cb = new CloudCourier("hospital-b", kb, directory::get, new FileSystemBlobStore(cloud),
                new BridgeNotifications(counting(inboxes.transport("hospital-b"))));
        RetryPolicy fast = new RetryPolicy(1, 2, 168);
        b = Router.start(new RouterConfig("hospital-b", work.resolve("b").toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                List.of(new Device("PACS_B", "127.0.0.1", storescp.port, List.of("store"), List.of(), true))), cb, new RoutingTable());
        RoutingTable routes = new RoutingTable();
        routes.replace(List.of(new RoutingTable.Route("PACS_B", "hospital-b", Set.of("store"))));
        a = Router.start(new RouterConfig("hospital-a", work.resolve("a").toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null,
                List.of(new Device("MODALITY", "127.0.0.1", 1, List.of(), List.of(), false))).withRetry(fast), ca, routes);
    }

    @AfterAll void stop() throws Exception {
        if (a != null) a.close();
        if (b != null) b.close();
        if (storescp != null) storescp.close();
    }

    private BridgeTransport counting(BridgeTransport t) {
        return new BridgeTransport() {
            @Override public void publish(String to, byte[] message) throws IOException {
                t.publish(to, message);
            }

            @Override public List<Notifications.Notification> poll(Duration timeout) throws IOException {
                List<Notifications.Notification> got = t.poll(timeout);
                notificationsToB.addAndGet(got.size());
                return got;
            }

            @Override public void ack(String id) throws IOException {
                t.ack(id);
            }
        };
    }

    /** Sends the files on one association, as a modality sends a series. */
    private void storeAll(List<Path> files) throws Exception {
        StorageSource first = StorageSource.probe(files.get(0));
        try (StoreScu scu = StoreScu.open("127.0.0.1", a.port(), "PACS_B", "MODALITY",
                List.of(new StoreScu.Need(first.sopClassUid(), first.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
            for (Path f : files) assertThat(scu.store(StorageSource.probe(f)).status()).as("C-STORE-RSP of router A, " + f).isZero();
        }
    }

    private void assertAllByteIdenticalAtStorescp(List<Path> files) throws Exception {
        Map<String, Path> sent = new java.util.HashMap<>();
        for (Path f : files) sent.put(StorageSource.probe(f).sopInstanceUid(), f);
        await().atMost(WAIT).until(() -> StoredFiles.byInstance(storescpDir).keySet().containsAll(sent.keySet()));
        Map<String, Path> stored = StoredFiles.byInstance(storescpDir);
        for (Map.Entry<String, Path> e : sent.entrySet()) {
            assertThat(StoredFiles.dataSet(stored.get(e.getKey()))).as("data set at storescp vs sent, " + e.getValue().getFileName())
                    .isEqualTo(StoredFiles.dataSet(e.getValue()));
        }
    }

    private static List<Path> study(Path dir, int count, int size) throws IOException {
        return SyntheticStudy.write(dir, count, size, "BUNDLE^TEST", "B1").files();
    }

    @Test void mixedSizesArriveByteIdenticalWithFewerNotificationsThanObjects() throws Exception {
        List<Path> small = study(work.resolve("small"), 6, 64); // 8 KB each
        List<Path> medium = study(work.resolve("medium"), 6, 390); // 300 KB each
        List<Path> large = study(work.resolve("large"), 1, 800); // 1.3 MB: alone
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            files.add(small.get(i));
            files.add(medium.get(i));
            if (i == 2) files.add(large.get(0)); // a large one between small ones
        }
        int before = notificationsToB.get();
        storeAll(files);
        assertAllByteIdenticalAtStorescp(files);
        int frames = notificationsToB.get() - before;
        assertThat(frames).as("notifications to router B for %d objects", files.size()).isLessThan(files.size()).isGreaterThanOrEqualTo(2);
    }

    @Test void aForgedSegmentInTheMiddleOfABundleAbortsThatC_STORE_AndEveryObjectArrivesAfterTheRetry() throws Exception {
        List<Path> files = study(work.resolve("forged"), 12, 390); // 3.6 MB: one bundle over four 1 MiB segments
        cloudOfA.forgeAt = 1_500_000; // the first upload to get that far: inside its second segment
        storeAll(files);
        await().atMost(WAIT).until(cloudOfA.forged::get);
        assertAllByteIdenticalAtStorescp(files);
        assertThat(StoredFiles.byInstance(storescpDir).keySet()).as("nothing partial stored beside them")
                .containsAll(files.stream().map(f -> uid(f)).toList());
    }

    private static String uid(Path f) {
        try {
            return StorageSource.probe(f).sopInstanceUid();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Router A's cloud: alters one byte at {@link #forgeAt} of the first upload that gets that far, once. */
    static final class ForgingBlobStore implements BlobStore {
        volatile BlobStore delegate;
        volatile long forgeAt = Long.MAX_VALUE;
        final AtomicBoolean forged = new AtomicBoolean();

        @Override public Upload create(String name, String recipientRouterId) throws IOException {
            Upload up = delegate.create(name, recipientRouterId);
            return new Upload() {
                long n;

                @Override public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override public void write(byte[] b, int off, int len) throws IOException {
                    long at = forgeAt;
                    if (n <= at && at < n + len && forged.compareAndSet(false, true)) {
                        byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
                        copy[(int) (at - n)] ^= 1;
                        up.write(copy, 0, len);
                    } else {
                        up.write(b, off, len);
                    }
                    n += len;
                }

                @Override public void close() throws IOException {
                    up.close();
                }

                @Override public void abort() {
                    up.abort();
                }
            };
        }

        @Override public InputStream open(String name) throws IOException {
            return delegate.open(name);
        }

        @Override public void delete(String name) throws IOException {
            delegate.delete(name);
        }

        @Override public void close() throws IOException {
            delegate.close();
        }
    }
}
