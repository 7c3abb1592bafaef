package org.dicomrelay.router;

import org.dicomrelay.dicom.io.SyntheticStudy;
import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.dicom.net.service.StreamSource;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.BridgeNotifications;
import org.dicomrelay.relay.cloud.fs.FileSystemBlobStore;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.Link;
import org.dicomrelay.router.config.RetryPolicy;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.CloudCourier;
import org.dicomrelay.router.link.MemoryInboxes;
import org.dicomrelay.testkit.StoredFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Router A's head start for large objects: the upload of an object past
 * {@link RelayService#HEAD_START_BYTES} begins while the modality is still sending it, instead of
 * after the spool holds it whole, and the modality still hears Success only once the spool has
 * kept it (PS3.4 B.2.3). A modality that aborts midway (A-ABORT, PS3.8 7.3.2) leaves nothing: no
 * spool entry, no blob in the cloud, and the destination's only window place is free again.
 * Router A's window is 1 here, so a place the aborted head start kept would stop every later delivery.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class HeadStartTest {
    /** Where the modality's stream holds (or fails): past the head start's threshold. */
    private static final long HOLD_AT = RelayService.HEAD_START_BYTES + (4L << 20);
    /** Sealed bytes in router A's upload that prove it began before the modality finished. */
    private static final long UPLOADED_BEFORE = RelayService.HEAD_START_BYTES + (1L << 20);

    private Path work, cloud, stateA, oursDir;
    private Router a, b;
    private DicomServer ours;
    /** Bytes written into router A's uploads so far. */
    private final AtomicLong uploaded = new AtomicLong();

    @BeforeAll void start() throws Exception {
        work = Files.createTempDirectory("head-start");
        cloud = Files.createDirectories(work.resolve("cloud"));
        stateA = work.resolve("a");
        oursDir = work.resolve("ours");
        FolderStorage folder = new FolderStorage(oursDir);
        ours = DicomServer.start(new ApplicationEntity("PACS_OURS").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onStore(folder::store));
        MemoryInboxes inboxes = new MemoryInboxes();
        RouterKeys ka = RouterKeys.generate(), kb = RouterKeys.generate();
        Map<String, PublicKeys> directory = Map.of("hospital-a", ka.publicKeys("hospital-a"), "hospital-b", kb.publicKeys("hospital-b"));
        CloudCourier ca = new CloudCourier("hospital-a", ka, directory::get, new CountingBlobStore(new FileSystemBlobStore(cloud), uploaded),
                new BridgeNotifications(inboxes.transport("hospital-a")));
        CloudCourier cb = new CloudCourier("hospital-b", kb, directory::get, new FileSystemBlobStore(cloud),
                new BridgeNotifications(inboxes.transport("hospital-b")));
        b = Router.start(new RouterConfig("hospital-b", work.resolve("b").toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                List.of(new Device("PACS_OURS", "127.0.0.1", ours.port(), List.of("store"), List.of(), true))), cb, new RoutingTable());
        RoutingTable routes = new RoutingTable();
        routes.replace(List.of(new RoutingTable.Route("PACS_OURS", "hospital-b", Set.of("store"))));
        a = Router.start(new RouterConfig("hospital-a", stateA.toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null,
                List.of(new Device("MODALITY", "127.0.0.1", 1, List.of(), List.of(), false)), List.of(), null, new RetryPolicy(1, 2, 168), null,
                null, new Link(null, null, null, null, null, null, 1, null, null)), ca, routes);
    }

    @AfterAll void stop() throws Exception {
        a.close();
        b.close();
        ours.close();
    }

    @Test void aLargeObjectUploadsWhileTheModalityIsStillSendingIt() throws Exception {
        StorageSource big = object("held");
        byte[] dataSet = dataSet(big);
        long before = uploaded.get();
        boolean[] uploadedWhileHeld = {false};
        InputStream modality = new HoldingStream(dataSet, () -> {
            // The modality stops sending here; only a head start can upload beyond what it sent before.
            await("router A's upload of the object it is still receiving").atMost(Duration.ofSeconds(60))
                    .until(() -> uploaded.get() - before >= UPLOADED_BEFORE);
            uploadedWhileHeld[0] = true;
        });
        assertThat(storeAtA(big, modality)).as("C-STORE status from router A's spool").isZero();
        assertThat(uploadedWhileHeld[0]).isTrue();
        Path stored = oursDir.resolve(big.sopInstanceUid() + ".dcm");
        await("the object at router B's PACS").atMost(Duration.ofSeconds(90)).until(() -> Files.exists(stored) && spoolOfA().isEmpty());
        assertThat(StoredFiles.dataSet(stored)).as("data set at the PACS vs sent").isEqualTo(dataSet);
    }

    @Test void anAbortedAssociationLeavesNothingAndFreesTheWindow() throws Exception {
        StorageSource cut = object("cut");
        long before = uploaded.get();
        InputStream modality = new HoldingStream(dataSet(cut), () -> {
            await("the head start's upload").atMost(Duration.ofSeconds(60)).until(() -> uploaded.get() - before >= UPLOADED_BEFORE);
            throw new IOException("the modality stops sending (test)");
        });
        assertThatThrownBy(() -> storeAtA(cut, modality)).isInstanceOf(IOException.class);
        await("the aborted upload deleted, nothing spooled").atMost(Duration.ofSeconds(60))
                .until(() -> filesIn(cloud) == 0 && filesIn(stateA.resolve("spool")) == 0);

        // The one window place is free: the next object goes, whole.
        StorageSource next = object("after-cut");
        assertThat(storeAtA(next, new ByteArrayInputStream(dataSet(next)))).isZero();
        Path stored = oursDir.resolve(next.sopInstanceUid() + ".dcm");
        await("the next object at router B's PACS").atMost(Duration.ofSeconds(90)).until(() -> Files.exists(stored) && spoolOfA().isEmpty());
        assertThat(Files.exists(oursDir.resolve(cut.sopInstanceUid() + ".dcm"))).as("nothing of the aborted object at the PACS").isFalse();
    }

    /** A 3,000 x 3,000 x 16-bit image: 18 MB, past the head start's threshold and the hold. */
    private StorageSource object(String name) throws IOException {
        return StorageSource.probe(SyntheticStudy.write(work.resolve(name), 1, 3000, "HEAD^START", name).files().get(0));
    }

    private int storeAtA(StorageSource src, InputStream dataSet) throws IOException {
        try (StoreScu scu = StoreScu.open("127.0.0.1", a.port(), "PACS_OURS", "MODALITY",
                List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
            return scu.store(new StreamSource(dataSet, src.sopClassUid(), src.sopInstanceUid(), src.transferSyntax())).status();
        }
    }

    private static byte[] dataSet(StorageSource src) throws IOException {
        try (InputStream in = src.openDataSet()) {
            return in.readAllBytes();
        }
    }

    private List<SpoolEntry> spoolOfA() throws IOException {
        return Spool.of(stateA).entries();
    }

    private static long filesIn(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".lock")).count();
        }
    }

    /** What the test does when the modality's data set reaches {@link #HOLD_AT}. */
    @FunctionalInterface
    interface AtHold {
        void run() throws IOException;
    }

    /** The modality's data set, which runs {@link AtHold} once, on the sending thread, at {@link #HOLD_AT}. */
    private static final class HoldingStream extends InputStream {
        private final byte[] data;
        private final AtHold atHold;
        private int position;
        private boolean held;

        HoldingStream(byte[] data, AtHold atHold) {
            this.data = data;
            this.atHold = atHold;
        }

        @Override public int read() throws IOException {
            return org.dicomrelay.relay.io.SingleByte.read(this);
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (position >= data.length) return -1;
            if (!held && position >= HOLD_AT) {
                held = true;
                atHold.run();
            }
            int n = (int) Math.min(len, (held ? data.length : HOLD_AT) - position);
            System.arraycopy(data, position, b, off, n);
            position += n;
            return n;
        }
    }

    /** Counts the bytes written into uploads. */
    private static final class CountingBlobStore implements BlobStore {
        private final BlobStore delegate;
        private final AtomicLong written;

        CountingBlobStore(BlobStore delegate, AtomicLong written) {
            this.delegate = delegate;
            this.written = written;
        }

        @Override public Upload create(String name, String recipientRouterId) throws IOException {
            Upload up = delegate.create(name, recipientRouterId);
            return new Upload() {
                @Override public void write(int b) throws IOException {
                    up.write(b);
                    written.incrementAndGet();
                }

                @Override public void write(byte[] b, int off, int len) throws IOException {
                    up.write(b, off, len);
                    written.addAndGet(len);
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
