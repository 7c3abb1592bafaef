package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.net.dimse.CommandCodec;
import org.dicomrelay.dicom.net.pdu.AAbort;
import org.dicomrelay.dicom.net.pdu.AAssociateAc;
import org.dicomrelay.dicom.net.pdu.AAssociateRj;
import org.dicomrelay.dicom.net.pdu.AAssociateRq;
import org.dicomrelay.dicom.net.pdu.AReleaseRp;
import org.dicomrelay.dicom.net.pdu.AReleaseRq;
import org.dicomrelay.dicom.net.pdu.PDataTf;
import org.dicomrelay.dicom.net.pdu.Pdv;
import org.dicomrelay.dicom.net.pdu.PresentationContext;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.Verification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.dicomrelay.dicom.net.ScriptedPeer.OUR_AE;
import static org.dicomrelay.dicom.net.ScriptedPeer.PEER_AE;
import static org.dicomrelay.dicom.net.ScriptedPeer.WAIT;
import static org.dicomrelay.dicom.net.ScriptedPeer.echoRq;
import static org.dicomrelay.dicom.net.ScriptedPeer.rq;

/**
 * Our {@link DicomServer} (C-ECHO, and C-STORE into a {@link FolderStorage}) against peers that
 * misbehave: wrong titles, no usable context, oversized and out-of-order PDUs, garbage, silence,
 * and connections that die in the middle of a data set. After each, the server has ended the
 * association by itself, left no file behind, and still answers a C-ECHO; after fifty of them its
 * threads and file descriptors are back where they were.
 */
@Timeout(120)
class HostileNetworkTest {
    static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    static final String IMPLICIT_LE = "1.2.840.10008.1.2";
    static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
    static final int MAX_PDU = 16384;
    static final Duration ARTIM = Duration.ofMillis(500);
    /** Longer than any step of a script, so only the silent peers meet it. */
    static final Duration IDLE = Duration.ofMillis(1000);
    /** Context IDs of {@link #storeRq()}. */
    static final int ECHO_PC = 1, CT_PC = 3;

    @TempDir Path folder;
    private DicomServer server;
    private AssociationOptions options;
    /** Associations the server has finished with, in order. */
    private final BlockingQueue<Association> closed = new LinkedBlockingQueue<>();
    private int instance;

    @BeforeEach void start() throws IOException {
        // The read timeout ends the peers silent mid-data-set, the idle timeout those silent between messages.
        options = AssociationOptions.DEFAULT.withArtim(ARTIM).withIdleTimeout(IDLE).withReadTimeout(IDLE).withMaxPdu(MAX_PDU, MAX_PDU);
        server = startServer(8);
    }

    @AfterEach void stop() {
        server.close();
    }

    private DicomServer startServer(int maxAssociations) throws IOException {
        ApplicationEntity ae = new ApplicationEntity(OUR_AE)
                .accept(Verification.SOP_CLASS, IMPLICIT_LE)
                .accept(CT, IMPLICIT_LE, EXPLICIT_LE)
                .allowCallingAeTitles(Set.of(PEER_AE, "FRIEND"))
                .options(options);
        DimseServices services = new DimseServices().onStore(new FolderStorage(folder));
        return DicomServer.start(ae, "127.0.0.1", 0, maxAssociations, new RequestHandler() {
            @Override public void onRequest(Association as, int pcid, Attributes command, InputStream data) throws IOException {
                services.onRequest(as, pcid, command, data);
            }

            @Override public void onCancel(Association as, int id) {
                services.onCancel(as, id);
            }

            @Override public void onClose(Association as) {
                services.onClose(as);
                closed.add(as);
            }
        });
    }

    // ---- the hostile peers -----------------------------------------------------------------

    enum Hostile {
        UNKNOWN_CALLED_AE, CALLING_AE_NOT_ALLOWED, NO_ACCEPTABLE_PRESENTATION_CONTEXT, PDU_LONGER_THAN_ANNOUNCED_MAXIMUM,
        HTTP_REQUEST_INSTEAD_OF_ASSOCIATE_RQ, TLS_HELLO_INSTEAD_OF_ASSOCIATE_RQ, P_DATA_BEFORE_ASSOCIATION,
        RELEASE_RP_IN_STA6, SECOND_ASSOCIATE_RQ_IN_STA6, DATA_ON_A_REJECTED_CONTEXT, SILENT_AFTER_CONNECTING,
        SILENT_MID_DATA_SET, CLOSES_MID_DATA_SET, RESETS_MID_DATA_SET, ABORTS_MID_DATA_SET, NEW_COMMAND_MID_DATA_SET,
        STORE_WITHOUT_INSTANCE_UID;

        @Override public String toString() {
            return name().toLowerCase().replace('_', ' ').replace("sta6", "Sta6");
        }
    }

    @TestFactory Stream<DynamicTest> eachHostilePeerIsEndedAndTheServerKeepsServing() {
        return Stream.of(Hostile.values()).map(h -> DynamicTest.dynamicTest(h.toString(), () -> {
            play(h);
            assertRecovered();
        }));
    }

    /** One hostile association; returns once the server has closed it (it never waits for the peer to). */
    private void play(Hostile h) throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            switch (h) {
                case UNKNOWN_CALLED_AE -> {
                    peer.send(rq("NOBODY", PEER_AE));
                    assertThat(peer.expect(AAssociateRj.class)).isEqualTo(new AAssociateRj(1, 1, 7));
                }
                case CALLING_AE_NOT_ALLOWED -> {
                    peer.send(rq(OUR_AE, "STRANGER"));
                    assertThat(peer.expect(AAssociateRj.class)).isEqualTo(new AAssociateRj(1, 1, 3));
                }
                case NO_ACCEPTABLE_PRESENTATION_CONTEXT -> {
                    AssociationRequest r = new AssociationRequest(OUR_AE, PEER_AE);
                    int unknown = r.propose("1.2.3.4.5.6.7", IMPLICIT_LE);
                    int jpegOnly = r.propose(CT, JPEG_BASELINE);
                    peer.send(r.build(AssociationOptions.DEFAULT));
                    AAssociateAc ac = peer.expect(AAssociateAc.class);
                    assertThat(ac.presentationContexts()).extracting(PresentationContext::id, PresentationContext::result)
                            .containsExactlyInAnyOrder(
                                    org.assertj.core.groups.Tuple.tuple(unknown, PresentationContext.ABSTRACT_SYNTAX_NOT_SUPPORTED),
                                    org.assertj.core.groups.Tuple.tuple(jpegOnly, PresentationContext.TRANSFER_SYNTAXES_NOT_SUPPORTED));
                    peer.send(new AReleaseRq());
                    peer.expect(AReleaseRp.class);
                }
                case PDU_LONGER_THAN_ANNOUNCED_MAXIMUM -> {
                    AAssociateAc ac = associate(peer);
                    assertThat(ac.userInformation().maxLength()).isEqualTo(MAX_PDU);
                    // One PDV filling the announced maximum: the PDU is 6 bytes longer than allowed.
                    peer.send(new PDataTf(List.of(new Pdv(CT_PC, false, true, new byte[MAX_PDU]))));
                    peer.expectAbort(AAbort.SOURCE_SERVICE_PROVIDER, AAbort.INVALID_PDU_PARAMETER_VALUE);
                }
                case HTTP_REQUEST_INSTEAD_OF_ASSOCIATE_RQ -> {
                    peer.sendRaw("GET / HTTP/1.1\r\nHost: pacs\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    peer.expectAbort(AAbort.SOURCE_SERVICE_USER, AAbort.REASON_NOT_SPECIFIED); // Sta2: AA-1
                }
                case TLS_HELLO_INSTEAD_OF_ASSOCIATE_RQ -> {
                    byte[] hello = new byte[5 + 64];
                    hello[0] = 0x16; // handshake record, TLS 1.0 header, 64 bytes of ClientHello
                    hello[1] = 0x03;
                    hello[2] = 0x01;
                    hello[4] = 64;
                    hello[5] = 0x01;
                    peer.sendRaw(hello);
                    peer.expectAbort(AAbort.SOURCE_SERVICE_USER, AAbort.REASON_NOT_SPECIFIED);
                }
                case P_DATA_BEFORE_ASSOCIATION -> {
                    peer.send(echoRq(1));
                    peer.expectAbort(AAbort.SOURCE_SERVICE_USER, AAbort.REASON_NOT_SPECIFIED);
                }
                case RELEASE_RP_IN_STA6 -> {
                    associate(peer);
                    peer.send(new AReleaseRp());
                    peer.expectAbort(AAbort.SOURCE_SERVICE_PROVIDER, AAbort.UNEXPECTED_PDU);
                }
                case SECOND_ASSOCIATE_RQ_IN_STA6 -> {
                    associate(peer);
                    peer.send(storeRq());
                    peer.expectAbort(AAbort.SOURCE_SERVICE_PROVIDER, AAbort.UNEXPECTED_PDU);
                }
                case DATA_ON_A_REJECTED_CONTEXT -> {
                    AssociationRequest r = new AssociationRequest(OUR_AE, PEER_AE);
                    r.propose(Verification.SOP_CLASS, IMPLICIT_LE);
                    int jpegOnly = r.propose(CT, JPEG_BASELINE);
                    peer.send(r.build(AssociationOptions.DEFAULT));
                    peer.expect(AAssociateAc.class);
                    peer.send(storeCommand(jpegOnly, nextUid()));
                    peer.expectAbort(AAbort.SOURCE_SERVICE_PROVIDER, AAbort.UNEXPECTED_PDU_PARAMETER);
                }
                case SILENT_AFTER_CONNECTING -> { /* ARTIM, Sta2 */ }
                case SILENT_MID_DATA_SET -> {
                    startStore(peer);
                    // The read timeout is our local limit: we abort as service user (AA-1).
                    peer.expectAbort(AAbort.SOURCE_SERVICE_USER, AAbort.REASON_NOT_SPECIFIED);
                }
                case CLOSES_MID_DATA_SET -> {
                    startStore(peer);
                    peer.close();
                    return;
                }
                case RESETS_MID_DATA_SET -> {
                    startStore(peer);
                    peer.reset();
                    return;
                }
                case ABORTS_MID_DATA_SET -> {
                    startStore(peer);
                    peer.send(AAbort.byUser());
                }
                case NEW_COMMAND_MID_DATA_SET -> {
                    startStore(peer);
                    peer.send(echoRq(2)); // a command PDV where the data set's next PDV belongs
                    peer.expectAbort(AAbort.SOURCE_SERVICE_PROVIDER, AAbort.UNEXPECTED_PDU_PARAMETER);
                }
                case STORE_WITHOUT_INSTANCE_UID -> {
                    associate(peer);
                    PDataTf command = storeCommand(CT_PC, null);
                    peer.send(command, new PDataTf(List.of(new Pdv(CT_PC, false, true, new byte[100]))));
                    Attributes rsp = ScriptedPeer.commandOf(peer.next());
                    assertThat(rsp.getInt(0x00000900, -1)).as("status").isEqualTo(0xA900);
                    assertThat(rsp.getString(0x00001000)).as("Affected SOP Instance UID of the response").isNull();
                    peer.send(new AReleaseRq());
                    peer.expect(AReleaseRp.class);
                }
            }
            // The peer never closes: the server must (AA-2 on ARTIM, or at once after AA-3).
            peer.expectClosed();
        }
    }

    private AAssociateAc associate(ScriptedPeer peer) throws IOException {
        peer.send(storeRq());
        return peer.expect(AAssociateAc.class);
    }

    /** Associates, sends a C-STORE-RQ and the first part of its data set, and waits until the SCP writes it to a temporary file. */
    private void startStore(ScriptedPeer peer) throws IOException {
        associate(peer);
        peer.send(storeCommand(CT_PC, nextUid()), new PDataTf(List.of(new Pdv(CT_PC, false, false, new byte[4000]))));
        await("the SCP to start a temporary file", () -> files().stream().anyMatch(f -> f.startsWith(".part-")), WAIT);
    }

    static AAssociateRq storeRq() {
        AssociationRequest r = new AssociationRequest(OUR_AE, PEER_AE);
        r.propose(Verification.SOP_CLASS, IMPLICIT_LE);
        r.propose(CT, IMPLICIT_LE);
        return r.build(AssociationOptions.DEFAULT);
    }

    static PDataTf storeCommand(int pcid, String iuid) {
        Attributes c = new Attributes();
        c.setString(0x00000002, VR.UI, CT);
        c.setInt(0x00000100, VR.US, 0x0001);
        c.setInt(0x00000110, VR.US, 7);
        c.setInt(0x00000700, VR.US, 0);
        c.setInt(0x00000800, VR.US, 0x0000);
        if (iuid != null) c.setString(0x00001000, VR.UI, iuid);
        return new PDataTf(List.of(new Pdv(pcid, true, true, CommandCodec.encode(c))));
    }

    private String nextUid() {
        return "1.2.826.0.1.3680043.10.1234." + (++instance);
    }

    /** After a hostile peer: nothing left open, nothing written, and a well-behaved peer is served. */
    private void assertRecovered() throws Exception {
        await("no association left active (now " + server.activeAssociations() + ")", () -> server.activeAssociations() == 0, WAIT);
        assertThat(files()).as("files left in the storage folder").isEmpty();
        assertThat(Verification.echo("127.0.0.1", server.port(), OUR_AE, "FRIEND", AssociationOptions.DEFAULT)).isZero();
    }

    // ---- positive control, and our own half-sent message ------------------------------------

    @Test void aCompleteStoreFromAScriptedPeerIsStored() throws Exception {
        // The control for the mid-data-set cases: the same script, finished, does leave a file.
        String iuid = nextUid();
        try (ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            associate(peer);
            peer.send(storeCommand(CT_PC, iuid), new PDataTf(List.of(new Pdv(CT_PC, false, true, new byte[4000]))));
            assertThat(ScriptedPeer.commandOf(peer.next()).getInt(0x00000900, -1)).isZero();
            peer.send(new AReleaseRq());
            peer.expect(AReleaseRp.class);
        }
        assertThat(files()).containsExactly(iuid + ".dcm");
    }

    @Test void aDataWriterFailingMidDataSetAbortsTheAssociation_theScpStoresNothing() throws Exception {
        AssociationRequest r = new AssociationRequest(OUR_AE, "FRIEND");
        int pcid = r.propose(CT, IMPLICIT_LE);
        Association as = Association.connect("127.0.0.1", server.port(), r.build(options), options, null);
        Attributes rq = new Attributes();
        rq.setString(0x00000002, VR.UI, CT);
        rq.setInt(0x00000100, VR.US, 0x0001);
        rq.setInt(0x00000700, VR.US, 0);
        rq.setString(0x00001000, VR.UI, nextUid());
        DataWriter failing = out -> {
            out.write(new byte[3 * MAX_PDU]); // two full PDVs go out before ...
            throw new IOException("source file vanished"); // ... the source fails
        };
        assertThatThrownBy(() -> as.invoke(pcid, rq, failing)).isInstanceOf(AssociationException.class)
                .hasMessageContaining("half-sent").hasMessageContaining("source file vanished");
        // Not reusable: a half-sent message would corrupt the next one.
        assertThatThrownBy(() -> as.invoke(pcid, rq, null)).isInstanceOf(IOException.class);
        assertThat(as.awaitEnd(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        Association scp = closed.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(scp).isNotNull();
        assertThat(scp.failure()).hasMessageContaining("aborted by peer").hasMessageContaining("service user");
        assertRecovered();
    }

    @Test void whenEveryThreadIsBusyARequestorIsToldSo() throws Exception {
        try (DicomServer small = startServer(1);
             ScriptedPeer first = ScriptedPeer.connect(small.port());
             ScriptedPeer second = ScriptedPeer.connect(small.port())) {
            first.send(storeRq());
            first.expect(AAssociateAc.class);
            // The request is sent at once, as requestors do: it must be read, not reset away with the answer.
            second.send(storeRq());
            assertThat(second.expect(AAssociateRj.class)).isEqualTo(new AAssociateRj(AAssociateRj.RESULT_TRANSIENT,
                    AAssociateRj.SOURCE_PROVIDER_PRESENTATION, AAssociateRj.LOCAL_LIMIT_EXCEEDED));
            second.expectClosed(); // Sta13: ARTIM
            assertThat(small.activeAssociations()).isEqualTo(1);
            first.send(new AReleaseRq());
            first.expect(AReleaseRp.class);
        }
    }

    // ---- leaks -------------------------------------------------------------------------------

    @Test void fiftyHostileAssociationsLeaveNoThreadNorFileDescriptorBehind() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        assumeThat(Files.isDirectory(fds)).as("/proc/self/fd (Linux)").isTrue();
        // A first round loads every class and starts every lazily created thread (timers, JUnit's watchdog).
        for (Hostile h : Hostile.values()) play(h);
        assertRecovered();
        int threads0 = busyThreads();
        long fds0 = count(fds);
        int played = 0;
        while (played < 50) {
            for (Hostile h : Hostile.values()) {
                if (played++ == 50) break;
                play(h);
            }
        }
        await("no association left active", () -> server.activeAssociations() == 0, WAIT);
        await("threads back to " + threads0 + " (idle pool workers aside)", () -> busyThreads() <= threads0, Duration.ofSeconds(10));
        await("file descriptors back to " + fds0 + " ± 3", () -> count(fds) <= fds0 + 3, Duration.ofSeconds(10));
        System.out.printf("after %d hostile associations: threads %d (baseline %d, JVM total %d), fds %d (baseline %d)%n",
                played - 1, busyThreads(), threads0, ManagementFactory.getThreadMXBean().getThreadCount(), count(fds), fds0);
        assertThat(files()).isEmpty();
        assertRecovered();
    }

    /**
     * Live threads, except the server's idle pool workers: those are a cache, parked until the
     * pool's keep-alive reaps them, not a leak. Any other thread counts, idle or not (an executor
     * never shut down parks its thread forever too).
     */
    static int busyThreads() {
        int n = 0;
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            Thread t = e.getKey();
            if (!t.isAlive()) continue;
            if (t.getName().startsWith("dicom-scp-") && Stream.of(e.getValue())
                    .anyMatch(f -> f.getClassName().endsWith("ThreadPoolExecutor") && f.getMethodName().equals("getTask"))) continue;
            n++;
        }
        return n;
    }

    static long count(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private List<String> files() {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Polls a condition until it holds or the timeout passes. */
    static void await(String what, BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + " (threads now " + busyThreads() + ")");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
