package org.dicomrelay.router;

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
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RetryPolicy;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.CloudCourier;
import org.dicomrelay.router.link.Courier;
import org.dicomrelay.router.link.Failure;
import org.dicomrelay.router.link.LinkMessage;
import org.dicomrelay.router.link.MemoryInboxes;
import org.dicomrelay.router.link.UploadJournal;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.StoredFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.FilterInputStream;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10, "streaming at router B": a relayed object streams into the PACS while its payload
 * arrives from the cloud, authenticated segment by segment, with no copy of it at router B. A
 * forged segment in the middle of the payload, or a payload cut short, aborts the C-STORE to the
 * PACS (A-ABORT, PS3.8 §7.3.2: never a completed data set), so storescp and our SCP keep nothing;
 * router A hears a transient failure that says why, and its spool's retry of the genuine object
 * stores it once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class StreamingStoreTest {
    private Path work, cloud, stateA, stateB, oursDir, storescpDir;
    private Router a, b;
    private DicomServer ours;
    private Peers.Server storescp;
    private final CorruptingBlobStore cloudOfB = new CorruptingBlobStore(), cloudOfA = new CorruptingBlobStore();
    private DicomServer archive, wsDest;
    private Path wsDir;
    private SyntheticStudy archived;
    /** What the move destination's storage saw of each C-STORE: "stored UID" or "failed UID: why". */
    private final List<String> wsSaw = new CopyOnWriteArrayList<>();
    /** Router B's answers to router A's requests, as router A received them. */
    private final List<LinkMessage.Answer> answersToA = new CopyOnWriteArrayList<>();
    /** What our SCP's storage saw of each C-STORE: "stored UID" or "failed UID: why". */
    private final List<String> oursSaw = new CopyOnWriteArrayList<>();
    /** Look taken at router B and the cloud when our SCP has read half of an object of this size (0: none). */
    private volatile long lookAtHalfOf;
    private final AtomicReference<HalfWay> halfWay = new AtomicReference<>();

    /** What was at router B and in the cloud when the PACS held half the data set. */
    record HalfWay(long largestFileOfB, long blobsInCloud) {}

    @BeforeAll void start() throws Exception {
        work = Files.createTempDirectory("streaming-store");
        cloud = Files.createDirectories(work.resolve("cloud"));
        stateA = work.resolve("a");
        stateB = work.resolve("b");
        oursDir = work.resolve("ours");
        storescpDir = Files.createDirectories(work.resolve("storescp"));
        FolderStorage folder = new FolderStorage(oursDir);
        ours = DicomServer.start(new ApplicationEntity("PACS_OURS").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onStore((as, rq, data) -> {
                    try {
                        int status = folder.store(as, rq, lookingAtHalfWay(data));
                        oursSaw.add("stored " + rq.sopInstanceUid());
                        return status;
                    } catch (IOException e) {
                        oursSaw.add("failed " + rq.sopInstanceUid() + ": " + e.getMessage());
                        throw e;
                    }
                }));
        int port = Peers.freePort();
        storescp = Peers.startServer(List.of("storescp", "-v", "+B", "+uf", "-od", storescpDir.toString(), "-aet", "PACS_B",
                String.valueOf(port)), port, null, Map.of());

        FolderStorage wsFolder = new FolderStorage(wsDir = work.resolve("ws"));
        wsDest = DicomServer.start(new ApplicationEntity("WS_DEST").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onStore((as, rq, data) -> {
                    try {
                        int status = wsFolder.store(as, rq, data);
                        wsSaw.add("stored " + rq.sopInstanceUid());
                        return status;
                    } catch (IOException e) {
                        wsSaw.add("failed " + rq.sopInstanceUid() + ": " + e.getMessage());
                        throw e;
                    }
                }));
        int archivePort = Peers.freePort();

        MemoryInboxes inboxes = new MemoryInboxes();
        RouterKeys ka = RouterKeys.generate(), kb = RouterKeys.generate();
        Map<String, PublicKeys> directory = Map.of("hospital-a", ka.publicKeys("hospital-a"), "hospital-b", kb.publicKeys("hospital-b"));
        cloudOfB.delegate = new FileSystemBlobStore(cloud);
        cloudOfA.delegate = new FileSystemBlobStore(cloud);
        CloudCourier ca = new CloudCourier("hospital-a", ka, directory::get, cloudOfA,
                new BridgeNotifications(inboxes.transport("hospital-a")));
        CloudCourier cb = new CloudCourier("hospital-b", kb, directory::get, cloudOfB, new BridgeNotifications(inboxes.transport("hospital-b")));
        b = Router.start(new RouterConfig("hospital-b", stateB.toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                List.of(new Device("PACS_B", "127.0.0.1", storescp.port, List.of("store"), List.of(), true),
                        new Device("PACS_OURS", "127.0.0.1", ours.port(), List.of("store"), List.of(), true),
                        new Device("PACS_QR", "127.0.0.1", archivePort, List.of("find", "move"), List.of(), true))), cb, new RoutingTable());
        // PACS_QR: our archive, which C-MOVEs to router B (router B retrieves to itself, then relays each instance).
        FolderArchive qr = new FolderArchive(work.resolve("archive"), "PACS_QR", Map.of("ROUTER_B", new InetSocketAddress("127.0.0.1", b.port())));
        archive = DicomServer.start(new ApplicationEntity("PACS_QR").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1",
                archivePort, 4, qr.services());
        archived = SyntheticStudy.write(work.resolve("archived"), 3, 1200, "MOVE^TEST", "M1"); // 2.9 MB each: 3 payload segments
        for (Path f : archived.files()) {
            StorageSource src = StorageSource.probe(f);
            try (StoreScu scu = StoreScu.open("127.0.0.1", archivePort, "PACS_QR", "LOADER",
                    List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
                assertThat(scu.store(src).status()).isZero();
            }
        }
        RoutingTable routes = new RoutingTable();
        routes.replace(List.of(new RoutingTable.Route("PACS_B", "hospital-b", Set.of("store")),
                new RoutingTable.Route("PACS_OURS", "hospital-b", Set.of("store")),
                new RoutingTable.Route("PACS_QR", "hospital-b", Set.of("find", "move"))));
        // Spool acknowledgement (the default): router A retries a transient failure after 1 s.
        a = Router.start(new RouterConfig("hospital-a", stateA.toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null,
                List.of(new Device("MODALITY", "127.0.0.1", 1, List.of(), List.of(), false),
                        new Device("WS_DEST", "127.0.0.1", wsDest.port(), List.of("store"), List.of(), false))).withRetry(new RetryPolicy(1, 2, 168)),
                new AnswerTap(ca), routes);
    }

    @AfterAll void stop() throws Exception {
        a.close();
        b.close();
        ours.close();
        storescp.close();
        archive.close();
        wsDest.close();
    }

    /** Our SCP's data set stream, which takes the look of {@link HalfWay} once half of {@link #lookAtHalfOf} was read. */
    private InputStream lookingAtHalfWay(InputStream data) {
        long half = lookAtHalfOf / 2;
        if (half == 0) return data;
        return new FilterInputStream(data) {
            long n;

            @Override public int read(byte[] buf, int off, int len) throws IOException {
                int k = super.read(buf, off, len);
                if (k > 0 && n < half && (n += k) >= half) halfWay.compareAndSet(null, new HalfWay(largestFile(stateB), fileCount(cloud)));
                return k;
            }
        };
    }

    private static long largestFile(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            long max = 0;
            for (Path p : s.filter(Files::isRegularFile).toList()) max = Math.max(max, Files.size(p));
            return max;
        }
    }

    private static long fileCount(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    private StorageSource object(String name, int size) throws IOException {
        return StorageSource.probe(SyntheticStudy.write(work.resolve(name), 1, size, "STREAMING^TEST", name).files().get(0));
    }

    /** C-STORE into router A's spool (acknowledged 0000 once kept there). */
    private void storeAtA(String calledAe, StorageSource src) throws IOException {
        try (StoreScu scu = StoreScu.open("127.0.0.1", a.port(), calledAe, "MODALITY",
                List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
            assertThat(scu.store(src).status()).as("C-STORE into router A's spool").isZero();
        }
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

    /** Waits for router B's next answer to router A after the first {@code before}; returns it. */
    private LinkMessage.Answer nextAnswer(int before) {
        await("router B's answer to router A").atMost(Duration.ofSeconds(90)).until(() -> answersToA.size() > before);
        return answersToA.get(before);
    }

    @Test void aLargeObjectStreamsIntoThePacsWithNoCopyAtRouterBAndArrivesByteIdentical() throws Exception {
        StorageSource big = object("large", 3300); // 3,300 x 3,300 x 16 bits: 21.8 MB, 21 payload segments
        long size = Files.size(big.file());
        lookAtHalfOf = size;
        try {
            storeAtA("PACS_OURS", big);
            await("the object at our SCP").atMost(Duration.ofSeconds(90)).until(() -> oursSaw.contains("stored " + big.sopInstanceUid()));
        } finally {
            lookAtHalfOf = 0;
        }
        HalfWay seen = halfWay.get();
        assertThat(seen).as("our SCP read half the data set").isNotNull();
        assertThat(seen.largestFileOfB()).as("largest file in router B's state folder while the PACS held half the object").isLessThan(size / 4);
        assertThat(seen.blobsInCloud()).as("the payload still in the cloud, being read, while the PACS held half of it").isPositive();
        assertThat(StoredFiles.dataSet(oursDir.resolve(big.sopInstanceUid() + ".dcm"))).as("data set at our SCP vs sent").isEqualTo(dataSet(big));

        int before = answersToA.size();
        storeAtA("PACS_B", big);
        // Answered once storescp answered its C-STORE-RSP, which it does after writing the file.
        assertThat(nextAnswer(before).status()).isZero();
        List<Path> stored = storedByStorescp(big.sopInstanceUid());
        assertThat(stored).hasSize(1);
        assertThat(StoredFiles.dataSet(stored.get(0))).as("data set at storescp vs sent").isEqualTo(dataSet(big));
        assertThat(largestFile(stateB)).isLessThan(size / 4);
        try (Stream<Path> s = Files.list(stateB)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(IncomingFiles::isTemporary);
        }
    }

    @Test void aForgedSegmentInTheMiddleAbortsTheStoreAtStorescpAndOurScpAndTheRetryStoresTheGenuineObjectOnce() throws Exception {
        for (String pacs : List.of("PACS_B", "PACS_OURS")) {
            StorageSource src = object("forged-" + pacs, 2500); // 12.5 MB: the byte flipped is in the 6th of 12 segments
            assertAbortedThenStoredOnce(pacs, src, in -> new FlippedAt(in, 6_000_000), "modified");
        }
    }

    @Test void aPayloadCutShortAbortsTheStoreAndTheRetryStoresTheGenuineObjectOnce() throws Exception {
        StorageSource src = object("cut", 2500);
        assertAbortedThenStoredOnce("PACS_B", src, in -> new CutAt(in, 6_000_000), "truncated");
    }

    /**
     * The same rule at router A for a C-MOVE: each instance streams to the move destination as it
     * arrives; one whose payload has a forged segment is aborted there (the destination keeps
     * nothing of it) and counted as a failed sub-operation (PS3.4 C.4.2.1.5: B000, Warning), the
     * others are stored.
     */
    @Test void aForgedInstanceOfACMoveIsAbortedAtTheDestinationAndCountedFailedTheOthersArrive() throws Exception {
        cloudOfA.corruptNextOpen(in -> new FlippedAt(in, 1_500_000));
        Peers.Result r = Peers.run(List.of("movescu", "-v", "-S", "-aet", "MODALITY", "-aec", "PACS_QR", "-aem", "WS_DEST",
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + archived.studyUid(), "127.0.0.1", String.valueOf(a.port())),
                Duration.ofSeconds(90));
        assertThat(r.output()).contains("Received Final Move Response (Warning: SubOperationsCompleteOneOrMoreFailures)");
        List<String> uids = archived.files().stream().map(f -> {
            try {
                return StorageSource.probe(f).sopInstanceUid();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
        await("the move destination's storage ends for the aborted instance").atMost(Duration.ofSeconds(20))
                .until(() -> wsSaw.stream().anyMatch(x -> x.startsWith("failed ")));
        List<String> failed = wsSaw.stream().filter(x -> x.startsWith("failed ")).toList();
        assertThat(failed).singleElement().asString().contains("abort");
        assertThat(wsSaw.stream().filter(x -> x.startsWith("stored ")).count()).as("instances stored at the destination").isEqualTo(2);
        String forged = failed.get(0).substring("failed ".length(), failed.get(0).indexOf(':'));
        assertThat(uids).contains(forged);
        for (String uid : uids) {
            Path at = wsDir.resolve(uid + ".dcm");
            if (uid.equals(forged)) assertThat(at).as("the forged instance at the destination").doesNotExist();
            else assertThat(at).as("a genuine instance at the destination").exists();
        }
        try (Stream<Path> s = Files.walk(wsDir)) {
            assertThat(s.filter(Files::isRegularFile).count()).as("files at the destination, partial ones included").isEqualTo(2);
        }
        try (Stream<Path> s = Files.list(stateA)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("router A keeps no copy of a retrieved instance").noneMatch(IncomingFiles::isTemporary);
        }
    }

    private void assertAbortedThenStoredOnce(String pacs, StorageSource src, UnaryOperator<InputStream> corruption, String why)
            throws Exception {
        String iuid = src.sopInstanceUid();
        int abortsAtStorescp = count(storescp.log(), "Association Aborted");
        int answersBefore = answersToA.size();
        cloudOfB.corruptNextOpen(corruption);
        storeAtA(pacs, src);
        LinkMessage.Answer failed = nextAnswer(answersBefore);
        LinkMessage.Answer retried = nextAnswer(answersBefore + 1);
        assertThat(failed.failure()).as("a failure router A retries").isEqualTo(Failure.TRANSIENT);
        assertThat(failed.status()).isEqualTo(0xA700);
        assertThat(failed.error()).startsWith("the payload failed authentication: ciphertext modified or truncated").contains(why)
                .contains("C-STORE to " + pacs).contains("was aborted, nothing stored");
        assertThat(retried.failure()).as("the retry of the genuine object").isNull();
        assertThat(retried.status()).isZero();
        if (pacs.equals("PACS_B")) {
            assertThat(count(storescp.log(), "Association Aborted")).as("A-ABORTs storescp saw").isEqualTo(abortsAtStorescp + 1);
            List<Path> stored = storedByStorescp(iuid);
            assertThat(stored).as("files storescp kept of the object: the retry's only").hasSize(1);
            assertThat(StoredFiles.dataSet(stored.get(0))).isEqualTo(dataSet(src));
        } else {
            assertThat(oursSaw.stream().filter(s -> s.contains(iuid)).toList()).as("our SCP's C-STOREs of the object")
                    .hasSize(2).first().asString().startsWith("failed " + iuid).contains("abort");
            assertThat(oursSaw).contains("stored " + iuid);
            assertThat(StoredFiles.dataSet(oursDir.resolve(iuid + ".dcm"))).isEqualTo(dataSet(src));
        }
        try (Stream<Path> s = Files.list(stateB)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(IncomingFiles::isTemporary);
        }
    }

    private static int count(String log, String what) {
        int n = 0;
        for (int i = log.indexOf(what); i >= 0; i = log.indexOf(what, i + 1)) n++;
        return n;
    }

    /** Router B's cloud: the next blob it opens is read through a corruption, the ones after it as they are. */
    static final class CorruptingBlobStore implements BlobStore {
        volatile BlobStore delegate;
        private final AtomicReference<UnaryOperator<InputStream>> next = new AtomicReference<>();

        void corruptNextOpen(UnaryOperator<InputStream> corruption) {
            next.set(corruption);
        }

        @Override public Upload create(String name, String recipientRouterId) throws IOException {
            return delegate.create(name, recipientRouterId);
        }

        @Override public InputStream open(String name) throws IOException {
            InputStream in = delegate.open(name);
            UnaryOperator<InputStream> corruption = next.getAndSet(null);
            return corruption == null ? in : corruption.apply(in);
        }

        @Override public void delete(String name) throws IOException {
            delegate.delete(name);
        }

        @Override public void close() throws IOException {
            delegate.close();
        }
    }

    /** The ciphertext with one byte flipped at {@code at}: the segment holding it fails authentication. */
    static final class FlippedAt extends FilterInputStream {
        private final long at;
        private long pos;

        FlippedAt(InputStream in, long at) {
            super(in);
            this.at = at;
        }

        @Override public int read() throws IOException {
            int c = super.read();
            if (c >= 0 && pos++ == at) c ^= 0x01;
            return c;
        }

        @Override public int read(byte[] buf, int off, int len) throws IOException {
            int k = super.read(buf, off, len);
            if (k > 0 && pos <= at && at < pos + k) buf[off + (int) (at - pos)] ^= 0x01;
            if (k > 0) pos += k;
            return k;
        }
    }

    /** The ciphertext ending at {@code at}, as if the upload had been cut there. */
    static final class CutAt extends FilterInputStream {
        private long left;

        CutAt(InputStream in, long at) {
            super(in);
            this.left = at;
        }

        @Override public int read() throws IOException {
            if (left <= 0) return -1;
            int c = super.read();
            if (c >= 0) left--;
            return c;
        }

        @Override public int read(byte[] buf, int off, int len) throws IOException {
            if (left <= 0) return -1;
            int k = super.read(buf, off, (int) Math.min(len, left));
            if (k > 0) left -= k;
            return k;
        }
    }

    /** Router A's courier, recording the answers it receives from router B. */
    private final class AnswerTap implements Courier {
        private final Courier delegate;

        AnswerTap(Courier delegate) {
            this.delegate = delegate;
        }

        @Override public void send(String toRouterId, LinkMessage message, PayloadWriter payload) throws IOException {
            delegate.send(toRouterId, message, payload);
        }

        @Override public void start(Listener listener) {
            delegate.start((from, message, payload) -> {
                if (message instanceof LinkMessage.StoreRsp rsp) answersToA.add(rsp);
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
