package org.dicomrelay.router;

import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.io.SyntheticStudy;
import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderArchive;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.BridgeNotifications;
import org.dicomrelay.relay.cloud.fs.FileSystemBlobStore;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.dicomrelay.router.config.Compression;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RetryPolicy;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.CloudCourier;
import org.dicomrelay.router.link.Courier;
import org.dicomrelay.router.link.LinkMessage;
import org.dicomrelay.router.link.MemoryInboxes;
import org.dicomrelay.router.link.PayloadCodec;
import org.dicomrelay.router.link.UploadJournal;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.dicomrelay.testkit.StoredFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10, "optional compression per route for uncompressed transfer syntaxes": router A's route
 * to PACS_B (behind router B) says zstd. Uncompressed CT and MR objects (PS3.5 §A.1, §A.2: native
 * Implicit and Explicit VR Little Endian) travel compressed, the sealed blob smaller than the
 * object, and reach storescp byte-identical; a JPEG-LS object (PS3.5 §A.4, encapsulated) on the
 * same route travels as it is. A compressed stream that does not decode at router B is refused,
 * before the PACS is called or by aborting its C-STORE (A-ABORT, PS3.8 §7.3.2: storescp keeps
 * nothing), and router A dead-letters the object with that reason. Router B's setting for router A
 * compresses the instances of router A's C-MOVE the same way.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class CompressedRouteTest {
    private Path work, stateA, stateB, storescpDir;
    private Router a, b;
    private Peers.Server storescp;
    private DicomServer archive, wsDest;
    private Path wsDir;
    private SyntheticStudy archived;
    /** The instances of router A's C-MOVEs, as router A received them from router B. */
    private final List<LinkMessage.Instance> instancesToA = new CopyOnWriteArrayList<>();
    /** Sizes of the blobs router A uploaded (sealed payloads), in order. */
    private final List<Long> blobSizesOfA = new CopyOnWriteArrayList<>();
    /** The STORE_RQ frames router A sent. */
    private final List<LinkMessage.StoreRq> sentByA = new CopyOnWriteArrayList<>();
    /** Corrupts the compressed payload of router A's next STORE_RQ: flips its middle byte, or its last (zstd's checksum). */
    private volatile Corruption corruptNext;

    enum Corruption { MIDDLE, LAST }

    @BeforeAll void start() throws Exception {
        work = Files.createTempDirectory("compressed-route");
        Path cloud = Files.createDirectories(work.resolve("cloud"));
        stateA = work.resolve("a");
        stateB = work.resolve("b");
        storescpDir = Files.createDirectories(work.resolve("storescp"));
        int port = Peers.freePort();
        // +xa: storescp accepts the JPEG-LS object too
        storescp = Peers.startServer(List.of("storescp", "-v", "+B", "+uf", "+xa", "-od", storescpDir.toString(), "-aet", "PACS_B",
                String.valueOf(port)), port, null, Map.of());
        MemoryInboxes inboxes = new MemoryInboxes();
        RouterKeys ka = RouterKeys.generate(), kb = RouterKeys.generate();
        Map<String, PublicKeys> directory = Map.of("hospital-a", ka.publicKeys("hospital-a"), "hospital-b", kb.publicKeys("hospital-b"));
        CloudCourier ca = new CloudCourier("hospital-a", ka, directory::get, new SizeRecordingBlobStore(new FileSystemBlobStore(cloud)),
                new BridgeNotifications(inboxes.transport("hospital-a")));
        CloudCourier cb = new CloudCourier("hospital-b", kb, directory::get, new FileSystemBlobStore(cloud),
                new BridgeNotifications(inboxes.transport("hospital-b")));
        wsDest = DicomServer.start(new ApplicationEntity("WS_DEST").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onStore(new FolderStorage(wsDir = work.resolve("ws"))));
        int archivePort = Peers.freePort();
        // Router B compresses the instances of router A's retrieves: its setting for router hospital-a.
        b = Router.start(new RouterConfig("hospital-b", stateB.toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                List.of(new Device("PACS_B", "127.0.0.1", storescp.port, List.of("store"), List.of(), true),
                        new Device("PACS_QR", "127.0.0.1", archivePort, List.of("find", "move"), List.of(), true)))
                .withCompression(new Compression(PayloadCodec.NONE, Map.of("hospital-a", PayloadCodec.ZSTD), null)), cb, new RoutingTable());
        FolderArchive qr = new FolderArchive(work.resolve("archive"), "PACS_QR", Map.of("ROUTER_B", new InetSocketAddress("127.0.0.1", b.port())));
        archive = DicomServer.start(new ApplicationEntity("PACS_QR").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1",
                archivePort, 4, qr.services());
        archived = SyntheticStudy.write(work.resolve("archived"), 2, 1200, "MOVE^COMPRESSED", "M1"); // 2.9 MB each
        for (Path f : archived.files()) {
            StorageSource src = StorageSource.probe(f);
            try (StoreScu scu = StoreScu.open("127.0.0.1", archivePort, "PACS_QR", "LOADER",
                    List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
                assertThat(scu.store(src).status()).isZero();
            }
        }
        RoutingTable routes = new RoutingTable();
        routes.replace(List.of(new RoutingTable.Route("PACS_B", "hospital-b", Set.of("store")),
                new RoutingTable.Route("PACS_QR", "hospital-b", Set.of("find", "move"))));
        a = Router.start(new RouterConfig("hospital-a", stateA.toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null,
                List.of(new Device("MODALITY", "127.0.0.1", 1, List.of(), List.of(), false),
                        new Device("WS_DEST", "127.0.0.1", wsDest.port(), List.of("store"), List.of(), false)))
                .withRetry(new RetryPolicy(1, 2, 168))
                .withCompression(new Compression(PayloadCodec.NONE, Map.of("hospital-b", PayloadCodec.ZSTD), null)),
                new Tap(ca), routes);
    }

    @AfterAll void stop() throws Exception {
        a.close();
        b.close();
        storescp.close();
        archive.close();
        wsDest.close();
    }

    /** Issue 10, the other way: router B compresses the instances of a relayed C-MOVE (PS3.4 C.4.2) that it sends to router A. */
    @Test void theInstancesOfACMoveTravelCompressedAndArriveByteIdenticalAtTheMoveDestination() throws Exception {
        int before = instancesToA.size();
        Peers.Result r = Peers.run(List.of("movescu", "-v", "-S", "-aet", "MODALITY", "-aec", "PACS_QR", "-aem", "WS_DEST",
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + archived.studyUid(), "127.0.0.1", String.valueOf(a.port())),
                Duration.ofSeconds(90));
        assertThat(r.output()).contains("Received Final Move Response (Success)");
        assertThat(instancesToA.subList(before, instancesToA.size())).hasSize(2)
                .allSatisfy(i -> assertThat(i.compression()).isEqualTo(PayloadCodec.ZSTD));
        for (Path f : archived.files()) {
            StorageSource src = StorageSource.probe(f);
            assertThat(StoredFiles.dataSet(wsDir.resolve(src.sopInstanceUid() + ".dcm"))).as("data set at the move destination").isEqualTo(dataSet(src));
        }
    }

    @Test void uncompressedCtAndMrTravelCompressedAndArriveByteIdentical() throws Exception {
        List<Path> objects = List.of(
                SyntheticStudy.write(work.resolve("ct-large"), 1, 1200, "COMPRESSED^ROUTE", "Z1").files().get(0), // 2.9 MB: streams at B
                SyntheticStudy.write(work.resolve("ct-512"), 1, 512, "COMPRESSED^ROUTE", "Z2").files().get(0),
                Samples.file("test_files/CT_small.dcm"),
                Samples.file("test_files/MR_small.dcm"),
                Samples.file("test_files/MR_small_implicit.dcm"));
        for (Path f : objects) {
            StorageSource src = StorageSource.probe(f);
            TransferSyntax ts = src.transferSyntax();
            assertThat(ts.isUncompressed()).isTrue();
            int blobsBefore = blobSizesOfA.size(), framesBefore = sentByA.size();
            Path stored = storeAndAwaitAtStorescp(src);
            assertThat(StoredFiles.dataSet(stored)).as(f.getFileName() + ": data set at storescp vs sent").isEqualTo(dataSet(src));
            assertThat(sentByA.subList(framesBefore, sentByA.size())).as(f.getFileName() + ": frames").singleElement()
                    .extracting(LinkMessage.StoreRq::compression).isEqualTo(PayloadCodec.ZSTD);
            List<Long> blobs = blobSizesOfA.subList(blobsBefore, blobSizesOfA.size());
            assertThat(blobs).as(f.getFileName() + ": sealed payloads uploaded").hasSize(1);
            assertThat(blobs.get(0)).as(f.getFileName() + ": sealed, compressed payload vs the data set (" + dataSet(src).length + " bytes)")
                    .isLessThan(dataSet(src).length * 9L / 10);
        }
    }

    @Test void aJpegLsObjectOnTheSameRouteTravelsUncompressed() throws Exception {
        StorageSource src = StorageSource.probe(Samples.file("test_files/MR_small_jpeg_ls_lossless.dcm"));
        assertThat(src.transferSyntax().isUncompressed()).isFalse();
        int blobsBefore = blobSizesOfA.size(), framesBefore = sentByA.size();
        Path stored = storeAndAwaitAtStorescp(src);
        assertThat(StoredFiles.dataSet(stored)).isEqualTo(dataSet(src));
        assertThat(sentByA.subList(framesBefore, sentByA.size())).singleElement()
                .extracting(LinkMessage.StoreRq::compression).isEqualTo(PayloadCodec.NONE);
        assertThat(blobSizesOfA.get(blobsBefore)).as("sealed payload: the data set and the envelope's overhead").isGreaterThan(dataSet(src).length);
    }

    /** A small object is read whole at router B before the PACS is called: refused there, no association. */
    @Test void aCompressedStreamThatDoesNotDecodeIsRefusedBeforeThePacsAndDeadLettered() throws Exception {
        StorageSource src = StorageSource.probe(SyntheticStudy.write(work.resolve("corrupt-small"), 1, 256, "CORRUPT^SMALL", "Z3").files().get(0));
        int associations = count(storescp.log(), "Association Received");
        corruptNext = Corruption.MIDDLE;
        storeAtA(src);
        SpoolEntry dead = deadLetterFor(src.sopInstanceUid());
        assertThat(dead.attempts()).as("a permanent refusal: not retried").isEqualTo(1);
        assertThat(dead.lastStatus()).isEqualTo(0xA700);
        assertThat(dead.lastReason()).contains("the performing router refused the object: the zstd-compressed payload does not decompress");
        assertThat(count(storescp.log(), "Association Received")).as("associations storescp saw").isEqualTo(associations);
        assertThat(storedByStorescp(src.sopInstanceUid())).isEmpty();
    }

    /** A large object streams into the PACS as it is decompressed: zstd's checksum fails at its end, and the C-STORE is aborted. */
    @Test void aCorruptEndOfALargeCompressedObjectAbortsTheStoreAtStorescpAndIsDeadLettered() throws Exception {
        StorageSource src = StorageSource.probe(SyntheticStudy.write(work.resolve("corrupt-large"), 1, 1200, "CORRUPT^LARGE", "Z4").files().get(0));
        int aborts = count(storescp.log(), "Association Aborted");
        corruptNext = Corruption.LAST;
        storeAtA(src);
        SpoolEntry dead = deadLetterFor(src.sopInstanceUid());
        assertThat(dead.attempts()).isEqualTo(1);
        assertThat(dead.lastReason()).contains("the zstd-compressed payload does not decompress")
                .contains("the C-STORE to PACS_B at 127.0.0.1:" + storescp.port + " was aborted, nothing stored");
        await("storescp logs the abort").atMost(Duration.ofSeconds(10)).until(() -> count(storescp.log(), "Association Aborted") == aborts + 1);
        assertThat(storedByStorescp(src.sopInstanceUid())).as("files storescp kept of the object").isEmpty();
    }

    /** The file storescp wrote for this store (pydicom's MR_small variants share one SOP Instance UID: +uf keeps each). */
    private Path storeAndAwaitAtStorescp(StorageSource src) throws Exception {
        List<Path> before = storedByStorescp(src.sopInstanceUid());
        storeAtA(src);
        return await("the object at storescp").atMost(Duration.ofSeconds(60)).until(() -> {
            List<Path> added = storedByStorescp(src.sopInstanceUid()).stream().filter(p -> !before.contains(p)).toList();
            boolean spooled = Spool.of(stateA).entries().stream().anyMatch(e -> e.sopInstanceUid().equals(src.sopInstanceUid()));
            return added.size() == 1 && !spooled ? added.get(0) : null; // left the spool: storescp answered, the file is whole
        }, java.util.Objects::nonNull);
    }

    private void storeAtA(StorageSource src) throws IOException {
        try (StoreScu scu = StoreScu.open("127.0.0.1", a.port(), "PACS_B", "MODALITY",
                List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
            assertThat(scu.store(src).status()).as("C-STORE into router A's spool").isZero();
        }
    }

    private SpoolEntry deadLetterFor(String sopInstanceUid) {
        return await("dead letter for " + sopInstanceUid).atMost(Duration.ofSeconds(60)).until(
                () -> Spool.of(stateA).entries().stream().filter(e -> e.sopInstanceUid().equals(sopInstanceUid) && e.deadLettered()).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
    }

    private static byte[] dataSet(StorageSource src) throws IOException {
        try (InputStream in = src.openDataSet()) {
            return in.readAllBytes();
        }
    }

    /** storescp's files of the instance (+uf: a second store would be a second file); those it is still starting to write are skipped. */
    private List<Path> storedByStorescp(String iuid) throws IOException {
        try (Stream<Path> s = Files.list(storescpDir)) {
            return s.filter(p -> {
                try {
                    return iuid.equals(StorageSource.probe(p).sopInstanceUid());
                } catch (IOException partial) {
                    return false;
                }
            }).toList();
        }
    }

    private static int count(String log, String what) {
        int n = 0;
        for (int i = log.indexOf(what); i >= 0; i = log.indexOf(what, i + 1)) n++;
        return n;
    }

    /** Router A's blob store, recording the size of each blob it uploads. */
    private final class SizeRecordingBlobStore implements BlobStore {
        private final BlobStore delegate;

        SizeRecordingBlobStore(BlobStore delegate) {
            this.delegate = delegate;
        }

        @Override public Upload create(String name, String recipientRouterId) throws IOException {
            Upload up = delegate.create(name, recipientRouterId);
            return new Upload() {
                long size;
                final AtomicBoolean closed = new AtomicBoolean();

                @Override public void write(int c) throws IOException {
                    up.write(c);
                    size++;
                }

                @Override public void write(byte[] buf, int off, int len) throws IOException {
                    up.write(buf, off, len);
                    size += len;
                }

                @Override public void flush() throws IOException {
                    up.flush();
                }

                @Override public void close() throws IOException {
                    up.close();
                    if (closed.compareAndSet(false, true)) blobSizesOfA.add(size);
                }

                @Override public void abort() {
                    up.abort();
                }

                @Override public void whenReadable(Runnable action) {
                    up.whenReadable(action);
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

    /** Router A's courier: records its STORE_RQ frames and corrupts the next compressed payload when told to. */
    private final class Tap implements Courier {
        private final Courier delegate;

        Tap(Courier delegate) {
            this.delegate = delegate;
        }

        @Override public void send(String toRouterId, LinkMessage message, PayloadWriter payload) throws IOException {
            if (message instanceof LinkMessage.StoreRq rq) sentByA.add(rq);
            Corruption c = corruptNext;
            if (c == null || payload == null || !(message instanceof LinkMessage.StoreRq)) {
                delegate.send(toRouterId, message, payload);
                return;
            }
            corruptNext = null;
            delegate.send(toRouterId, message, out -> {
                ByteArrayOutputStream whole = new ByteArrayOutputStream();
                payload.writeTo(whole);
                byte[] bytes = whole.toByteArray();
                bytes[c == Corruption.MIDDLE ? bytes.length / 2 : bytes.length - 1] ^= 0x5A;
                out.write(bytes);
            });
        }

        @Override public void start(Listener listener) {
            delegate.start((from, message, payload) -> {
                if (message instanceof LinkMessage.Instance i) instancesToA.add(i);
                listener.onMessage(from, message, payload);
            });
        }

        @Override public void recordUploadsIn(UploadJournal journal) {
            delegate.recordUploadsIn(journal);
        }

        @Override public void abandon(String toRouterId, String operationId) {
            delegate.abandon(toRouterId, operationId);
        }

        @Override public void close() throws IOException {
            delegate.close();
        }
    }
}
