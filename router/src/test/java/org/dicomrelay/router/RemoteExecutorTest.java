package org.dicomrelay.router;

import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.link.Courier;
import org.dicomrelay.router.link.Failure;
import org.dicomrelay.router.link.LinkMessage;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Router B's answers when it cannot deliver a relayed C-STORE to its PACS: the STORE_RSP frame
 * carries the status (PS3.4 Annex B.2.3), an error comment naming the device and the cause, and
 * whether the failure may pass ({@code failure: transient}: unreachable, A7xx) or will not
 * ({@code permanent}: the SOP class refused at negotiation, PS3.8 §9.3.3.2, or A9xx/Cxxx), so
 * that router A retries the one and dead-letters the other. Nothing is left in the state folder.
 */
@Timeout(60)
class RemoteExecutorTest {
    private static final String MR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.4";
    private Path state;
    private final List<LinkMessage.Answer> answers = new CopyOnWriteArrayList<>();
    private final List<DicomServer> servers = new ArrayList<>();
    private StoreAssociations stores;
    private QueryAssociations queries;

    private final Courier capture = new Courier() {
        @Override public void send(String to, LinkMessage message, PayloadWriter payload) {
            answers.add((LinkMessage.Answer) message);
        }

        @Override public void start(Listener listener) {}

        @Override public void recordUploadsIn(org.dicomrelay.router.link.UploadJournal journal) {}

        @Override public void abandon(String to, String operationId) {}

        @Override public void close() {}
    };

    @BeforeEach void setUp() throws IOException {
        state = Files.createTempDirectory("remote-executor");
        stores = new StoreAssociations("ROUTER_B", Router.scuOptions(), Duration.ofMillis(500));
        queries = new QueryAssociations("ROUTER_B", DeviceOptions.plain(Router.scuOptions()), Duration.ofMillis(500));
    }

    @AfterEach void tearDown() {
        stores.close();
        queries.close();
        servers.forEach(DicomServer::close);
    }

    private LinkMessage.Answer store(int pacsPort, Path file) throws IOException {
        return store(pacsPort, file, in -> in);
    }

    private LinkMessage.Answer store(int pacsPort, Path file, java.util.function.UnaryOperator<InputStream> payload) throws IOException {
        RouterConfig config = new RouterConfig("hospital-b", state.toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                List.of(new Device("PACS_B", "127.0.0.1", pacsPort, List.of("store"), List.of(), true)));
        RemoteExecutor executor = new RemoteExecutor(config, capture, new InboundInstances(), stores, queries);
        StorageSource src = StorageSource.probe(file);
        LinkMessage.StoreRq rq = new LinkMessage.StoreRq("op-1", "PACS_B", "MODALITY", src.sopClassUid(), src.sopInstanceUid(),
                src.transferSyntax().uid());
        try (InputStream in = src.openDataSet()) {
            executor.onMessage("hospital-a", rq, payload.apply(in));
        }
        assertThat(answers).hasSize(1);
        LinkMessage.Answer answer = answers.get(0);
        assertThat(answer).isInstanceOf(LinkMessage.StoreRsp.class);
        assertThat(answer.operationId()).isEqualTo("op-1");
        return answer;
    }

    /** A PACS_B that accepts every SOP class and transfer syntax. */
    private int anyPacs(DimseServices.StoreHandler handler) throws IOException {
        return pacs(new ApplicationEntity("PACS_B").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), handler);
    }

    private int pacs(ApplicationEntity ae, DimseServices.StoreHandler handler) throws IOException {
        DicomServer s = DicomServer.start(ae, "127.0.0.1", 0, 4, new DimseServices().onStore(handler));
        servers.add(s);
        return s.port();
    }

    private void assertNothingLeft() throws IOException {
        try (Stream<Path> files = Files.list(state)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("state folder after the store").noneMatch(IncomingFiles::isTemporary);
        }
    }

    @Test void pacsDownIsTransientWithAClearError() throws Exception {
        int nothingListens = Peers.freePort();
        LinkMessage.Answer answer = store(nothingListens, Samples.file("test_files/CT_small.dcm"));
        assertThat(answer.status()).isEqualTo(0xA700);
        assertThat(answer.failure()).isEqualTo(Failure.TRANSIENT);
        assertThat(answer.error()).isEqualTo("PACS_B at 127.0.0.1:" + nothingListens + " refused the connection");
        assertThat(((LinkMessage.StoreRsp) answer).storedAtMillis()).as("no PACS answered: no time").isNull();
        assertNothingLeft();
    }

    /** Issue 9, "payloads copied to disk with no size limit": past the limit the store is refused for good, nothing reaches the PACS or stays on disk. */
    @Test void aPayloadOverTheLimitIsAPermanentRefusalAndNothingIsLeft() throws Exception {
        List<String> stored = new CopyOnWriteArrayList<>();
        int port = anyPacs((as, rq, data) -> {
            stored.add(rq.toString());
            return 0;
        });
        LinkMessage.Answer answer = store(port, Samples.file("test_files/CT_small.dcm"), in -> new java.io.FilterInputStream(in) {
            private long count;

            @Override public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                count += Math.max(n, 0);
                if (count > 1000) throw new org.dicomrelay.router.link.PayloadTooLargeException("the payload is larger than the limit of 1000 bytes");
                return n;
            }
        });
        assertThat(answer.failure()).as("a resend would be refused again").isEqualTo(Failure.PERMANENT);
        assertThat(answer.error()).contains("refused the object").contains("larger than the limit of 1000 bytes");
        assertThat(stored).isEmpty();
        assertNothingLeft();
    }

    /** Issue 10: a payload that fails authentication at its first segment is refused before the PACS is called. */
    /**
     * A device has one association from us (StoreAssociations): a small object is read whole from the cloud before
     * it takes it, so one still arriving over a slow link does not hold back the next object to the same device.
     */
    @Test void aSmallObjectStillArrivingFromTheCloudDoesNotHoldTheDevicesAssociation() throws Exception {
        List<String> stored = new CopyOnWriteArrayList<>();
        int port = anyPacs((as, rq, data) -> {
            data.transferTo(java.io.OutputStream.nullOutputStream());
            stored.add(rq.sopInstanceUid());
            return 0;
        });
        RouterConfig config = new RouterConfig("hospital-b", state.toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                List.of(new Device("PACS_B", "127.0.0.1", port, List.of("store"), List.of(), true)));
        RemoteExecutor executor = new RemoteExecutor(config, capture, new InboundInstances(), stores, queries);
        StorageSource src = StorageSource.probe(Samples.file("test_files/CT_small.dcm"));
        byte[] data;
        try (InputStream in = src.openDataSet()) {
            data = in.readAllBytes();
        }
        assertThat(data.length).isLessThan(RemoteExecutor.WHOLE_IN_MEMORY_BYTES);
        java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1), release = new java.util.concurrent.CountDownLatch(1);
        InputStream slow = new InputStream() {
            private int pos;

            @Override public int read() throws IOException {
                byte[] b = new byte[1];
                return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
            }

            @Override public int read(byte[] b, int off, int len) throws IOException {
                if (pos == data.length) return -1;
                if (pos >= data.length / 2) {
                    waiting.countDown(); // the second half is still on its way
                    try {
                        if (!release.await(30, java.util.concurrent.TimeUnit.SECONDS)) throw new IOException("not released");
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                }
                int n = Math.min(len, (pos < data.length / 2 ? data.length / 2 : data.length) - pos);
                System.arraycopy(data, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        java.util.function.Function<String, LinkMessage.StoreRq> rq = op -> new LinkMessage.StoreRq(op, "PACS_B", "MODALITY", src.sopClassUid(),
                src.sopInstanceUid(), src.transferSyntax().uid());
        java.util.concurrent.CompletableFuture<Void> first = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                executor.onMessage("hospital-a", rq.apply("op-slow"), slow);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(waiting.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        java.util.concurrent.CompletableFuture<Void> second = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                executor.onMessage("hospital-a", rq.apply("op-fast"), new java.io.ByteArrayInputStream(data));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(second::isDone);
        assertThat(answers).extracting(LinkMessage.Answer::operationId).as("answered while the first still arrives").containsExactly("op-fast");
        assertThat(stored).hasSize(1);
        release.countDown();
        first.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(answers).extracting(LinkMessage.Answer::status).containsExactly(0, 0);
        assertThat(stored).hasSize(2);
    }

    @Test void aPayloadFailingAtItsFirstSegmentNeverReachesThePacs() throws Exception {
        List<String> stored = new CopyOnWriteArrayList<>();
        int port = anyPacs((as, rq, data) -> {
            stored.add(rq.sopInstanceUid());
            return 0;
        });
        LinkMessage.Answer answer = store(port, Samples.file("test_files/CT_small.dcm"), in -> new InputStream() {
            @Override public int read() throws IOException {
                throw new org.dicomrelay.relay.crypto.EnvelopeException("ciphertext modified or truncated: message m1 from hospital-a");
            }

            @Override public int read(byte[] b, int off, int len) throws IOException {
                return read();
            }
        });
        assertThat(answer.failure()).as("router A sends its object again").isEqualTo(Failure.TRANSIENT);
        assertThat(answer.error()).isEqualTo("the performing router could not receive the object: the payload failed authentication: "
                + "ciphertext modified or truncated: message m1 from hospital-a");
        assertThat(stored).as("C-STOREs the PACS saw").isEmpty();
        assertNothingLeft();
    }

    @Test void sopClassRefusedAtNegotiationIsPermanent() throws Exception {
        // A real SCP that accepts MR Image Storage only: the CT object's context is refused (PS3.8 §9.3.3.2).
        int port = pacs(new ApplicationEntity("PACS_B").accept(MR_IMAGE_STORAGE, ApplicationEntity.ANY), (as, rq, data) -> 0);
        LinkMessage.Answer answer = store(port, Samples.file("test_files/CT_small.dcm"));
        assertThat(answer.status()).isEqualTo(0x0122);
        assertThat(answer.failure()).isEqualTo(Failure.PERMANENT);
        assertThat(answer.error()).startsWith("PACS_B at 127.0.0.1:" + port + " accepts no presentation context for SOP class 1.2.840.10008.5.1.4.1.1.2");
        assertNothingLeft();
    }

    @Test void pacsFailureStatusesAreClassifiedByPs34() throws Exception {
        // A900 "data set does not match SOP class": the PACS refuses this object, a retry repeats it.
        int refusing = anyPacs((as, rq, data) -> {
            data.transferTo(java.io.OutputStream.nullOutputStream());
            return 0xA900;
        });
        LinkMessage.Answer refused = store(refusing, Samples.file("test_files/CT_small.dcm"));
        assertThat(refused.status()).isEqualTo(0xA900);
        assertThat(refused.failure()).isEqualTo(Failure.PERMANENT);
        assertThat(refused.error()).startsWith("PACS_B at 127.0.0.1:" + refusing + " answered A900H");
        answers.clear();
        // A700 "out of resources": the PACS may have room later.
        int full = anyPacs((as, rq, data) -> {
            data.transferTo(java.io.OutputStream.nullOutputStream());
            return 0xA700;
        });
        LinkMessage.Answer busy = store(full, Samples.file("test_files/CT_small.dcm"));
        assertThat(busy.status()).isEqualTo(0xA700);
        assertThat(busy.failure()).isEqualTo(Failure.TRANSIENT);
        timedAround((LinkMessage.StoreRsp) busy); // the PACS answered: router A's timeline shows where the object stopped
        assertNothingLeft();
    }

    /** Router B's receipt and its PACS's answer, for router A's per-study timeline: within this test's run, in order. */
    private static void timedAround(LinkMessage.StoreRsp answer) {
        assertThat(answer.receivedAtMillis()).isNotNull().isLessThanOrEqualTo(answer.storedAtMillis());
        assertThat(answer.storedAtMillis()).isLessThanOrEqualTo(System.currentTimeMillis());
        assertThat(System.currentTimeMillis() - answer.receivedAtMillis()).isBetween(0L, 60_000L);
    }

    @Test void deliveredStoreCarriesNoFailure() throws Exception {
        int port = anyPacs((as, rq, data) -> {
            data.transferTo(java.io.OutputStream.nullOutputStream());
            return 0;
        });
        LinkMessage.Answer answer = store(port, Samples.file("test_files/CT_small.dcm"));
        assertThat(answer.status()).isZero();
        assertThat(answer.failure()).isNull();
        timedAround((LinkMessage.StoreRsp) answer);
        assertNothingLeft();
    }

    @Test void unreadablePayloadIsTransient() throws Exception {
        // The object could not be read from the cloud (blob withdrawn, or the disk here full): a resend may do.
        RouterConfig config = new RouterConfig("hospital-b", state.toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                List.of(new Device("PACS_B", "127.0.0.1", Peers.freePort(), List.of("store"), List.of(), true)));
        RemoteExecutor executor = new RemoteExecutor(config, capture, new InboundInstances(), stores, queries);
        InputStream broken = new InputStream() {
            @Override public int read() throws IOException {
                throw new java.nio.file.NoSuchFileException("cloud/ab/abcdefghijklmnop");
            }
        };
        executor.onMessage("hospital-a", new LinkMessage.StoreRq("op-2", "PACS_B", "MODALITY",
                "1.2.840.10008.5.1.4.1.1.2", "1.2.3", "1.2.840.10008.1.2.1"), broken);
        LinkMessage.Answer answer = answers.get(0);
        assertThat(answer.failure()).isEqualTo(Failure.TRANSIENT);
        assertThat(answer.error()).contains("could not receive the object").contains("cloud/ab/abcdefghijklmnop");
        assertNothingLeft();
    }

    @Test void notExportedIsPermanent() throws Exception {
        RouterConfig config = new RouterConfig("hospital-b", state.toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null, List.of());
        new RemoteExecutor(config, capture, new InboundInstances(), stores, queries)
                .onMessage("hospital-a", new LinkMessage.StoreRq("op-3", "PACS_X", "MODALITY", "1.2.840.10008.5.1.4.1.1.2", "1.2.3",
                        "1.2.840.10008.1.2.1"), null);
        assertThat(answers.get(0).status()).isEqualTo(0x0124);
        assertThat(answers.get(0).failure()).isEqualTo(Failure.PERMANENT);
        assertThat(answers.get(0).error()).contains("PACS_X is not exported");
    }

    @Test void findAndMoveFailuresNameTheirCause() throws Exception {
        int nothingListens = Peers.freePort();
        RouterConfig config = new RouterConfig("hospital-b", state.toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                List.of(new Device("PACS_B", "127.0.0.1", nothingListens, List.of("find", "move"), List.of(), true)));
        RemoteExecutor executor = new RemoteExecutor(config, capture, new InboundInstances(), stores, queries);
        String identifier = "{\"0020000D\":{\"vr\":\"UI\",\"Value\":[\"1.2.3\"]},\"00080052\":{\"vr\":\"CS\",\"Value\":[\"STUDY\"]}}";
        String studyRootFind = "1.2.840.10008.5.1.4.1.2.2.1", studyRootMove = "1.2.840.10008.5.1.4.1.2.2.2";
        executor.onMessage("hospital-a", new LinkMessage.FindRq("op-f", "PACS_B", "WS", studyRootFind, identifier), null);
        executor.onMessage("hospital-a", new LinkMessage.MoveRq("op-m", "PACS_B", "WS", studyRootMove, identifier), null);
        assertThat(answers).hasSize(2);
        assertThat(answers.get(0).status()).isEqualTo(0xA700);
        assertThat(answers.get(0).error()).isEqualTo("PACS_B at 127.0.0.1:" + nothingListens + " refused the connection");
        assertThat(answers.get(1).status()).isEqualTo(0xA702);
        assertThat(answers.get(1).error()).isEqualTo("PACS_B at 127.0.0.1:" + nothingListens + " refused the connection");
    }

    /**
     * Review finding: CANCELs were keyed by operation id alone, so another router's CANCEL (early,
     * before the operation took it) could cancel an operation it did not start. A CANCEL is now its
     * sender's: the sender's own early CANCEL still works (PS3.7 9.3.2.3: C-FIND ends Cancel, FE00).
     */
    @Test void anotherRoutersCancelDoesNotReachAnOperationItsSendersDoes() throws Exception {
        java.util.concurrent.atomic.AtomicInteger finds = new java.util.concurrent.atomic.AtomicInteger();
        org.dicomrelay.dicom.data.Attributes match = new org.dicomrelay.dicom.data.Attributes();
        match.setString(0x00100020, org.dicomrelay.dicom.data.VR.LO, "P1");
        DicomServer pacs = DicomServer.start(new ApplicationEntity("PACS_B").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onFind((as, rq, rsp) -> {
                    rsp.match(match);
                    // The second C-FIND (op-10) is the one its sender cancelled early: this PACS ends it only once the
                    // C-CANCEL has arrived, else it could finish first (the C-CANCEL races the whole request on the wire).
                    if (finds.incrementAndGet() == 2) {
                        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(rq::isCancelled);
                    }
                }));
        servers.add(pacs);
        RouterConfig config = new RouterConfig("hospital-b", state.toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                List.of(new Device("PACS_B", "127.0.0.1", pacs.port(), List.of("find"), List.of(), true)));
        RemoteExecutor executor = new RemoteExecutor(config, capture, new InboundInstances(), stores, queries);
        String identifier = "{\"00080052\":{\"vr\":\"CS\",\"Value\":[\"STUDY\"]}}";
        String studyRootFind = "1.2.840.10008.5.1.4.1.2.2.1";

        executor.onMessage("hospital-x", new LinkMessage.Cancel("op-9"), null);
        executor.onMessage("hospital-a", new LinkMessage.FindRq("op-9", "PACS_B", "WS", studyRootFind, identifier), null);
        assertThat(answers).extracting(LinkMessage.Answer::status).as("hospital-x's CANCEL reached nothing").containsExactly(0xFF00, 0x0000);

        answers.clear();
        executor.onMessage("hospital-a", new LinkMessage.Cancel("op-10"), null);
        executor.onMessage("hospital-a", new LinkMessage.FindRq("op-10", "PACS_B", "WS", studyRootFind, identifier), null);
        assertThat(answers).extracting(LinkMessage.Answer::status).as("hospital-a's own early CANCEL").last().isEqualTo(0xFE00);
    }
}
