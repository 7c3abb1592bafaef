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
import org.dicomrelay.dicom.net.pdu.PduWriter;
import org.dicomrelay.dicom.net.pdu.Pdv;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.QueryRetrieveModel;
import org.dicomrelay.dicom.net.service.Verification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dicomrelay.dicom.net.HostileNetworkTest.CT;
import static org.dicomrelay.dicom.net.HostileNetworkTest.CT_PC;
import static org.dicomrelay.dicom.net.HostileNetworkTest.IMPLICIT_LE;
import static org.dicomrelay.dicom.net.HostileNetworkTest.await;
import static org.dicomrelay.dicom.net.HostileNetworkTest.busyThreads;
import static org.dicomrelay.dicom.net.HostileNetworkTest.storeCommand;
import static org.dicomrelay.dicom.net.HostileNetworkTest.storeRq;
import static org.dicomrelay.dicom.net.ScriptedPeer.OUR_AE;
import static org.dicomrelay.dicom.net.ScriptedPeer.PEER_AE;
import static org.dicomrelay.dicom.net.ScriptedPeer.WAIT;

/**
 * Our limits on an established association (PS3.8 has no timer in Sta6, so these are local
 * decisions, ended with an A-ABORT from the service user as DCMTK and Orthanc do on theirs): the
 * idle timeout between messages, the read timeout on a PDU once begun, the per-caller limit; and
 * the A-ASSOCIATE-RQ without presentation context that PS3.8 §9.3.2 does not allow.
 */
@Timeout(60)
class AssociationTimeoutsTest {
    static final Duration SHORT = Duration.ofMillis(1000);
    static final Duration LONG = Duration.ofSeconds(30);
    static final String FIND = QueryRetrieveModel.STUDY_ROOT.find;

    @TempDir Path folder;
    private DicomServer server;
    private final BlockingQueue<Association> closed = new LinkedBlockingQueue<>();
    /** Released by a test to let a C-FIND finish. */
    private final CountDownLatch findMayFinish = new CountDownLatch(1);

    @AfterEach void stop() {
        if (server != null) server.close();
    }

    private DicomServer start(Duration idle, Duration read, CallerLimit limit) throws IOException {
        AssociationOptions options = AssociationOptions.DEFAULT.withArtim(Duration.ofMillis(500)).withIdleTimeout(idle).withReadTimeout(read);
        ApplicationEntity ae = new ApplicationEntity(OUR_AE)
                .accept(Verification.SOP_CLASS, IMPLICIT_LE)
                .accept(CT, IMPLICIT_LE)
                .accept(FIND, IMPLICIT_LE)
                .allowCallingAeTitles(Set.of(PEER_AE, "FRIEND"))
                .options(options);
        DimseServices services = new DimseServices().onStore(new FolderStorage(folder)).onFind((as, rq, responder) -> {
            try {
                findMayFinish.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server = DicomServer.start(OUR_AE, ae, options, "127.0.0.1", 0, 8, limit, new RequestHandler() {
            @Override public void onRequest(Association as, int pcid, Attributes command, InputStream data) throws IOException {
                services.onRequest(as, pcid, command, data);
            }

            @Override public void onClose(Association as) {
                services.onClose(as);
                closed.add(as);
            }
        });
        return server;
    }

    // ---- idle timeout ------------------------------------------------------------------------

    @Test void anIdleAssociationIsAbortedAfterTheIdleTimeout() throws Exception {
        start(SHORT, LONG, null);
        try (ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            peer.send(storeRq());
            peer.expect(AAssociateAc.class);
            long t0 = System.nanoTime();
            peer.expectAbort(AAbort.SOURCE_SERVICE_USER, AAbort.REASON_NOT_SPECIFIED);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("time to the abort").isGreaterThan(SHORT.dividedBy(2));
            peer.expectClosed();
        }
        Association as = closed.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(as).isNotNull();
        assertThat(as.failure()).hasMessageContaining("idle for 1 s").hasMessageContaining("idle timeout");
        await("no association left", () -> server.activeAssociations() == 0, WAIT);
    }

    @Test void theIdleTimeoutCountsFromTheLastAnswer_notWhileARequestIsBeingAnswered() throws Exception {
        start(SHORT, LONG, null);
        try (ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            AssociationRequest r = new AssociationRequest(OUR_AE, PEER_AE);
            int pc = r.propose(FIND, IMPLICIT_LE);
            peer.send(r.build(AssociationOptions.DEFAULT));
            peer.expect(AAssociateAc.class);
            peer.send(findRq(pc));
            // The C-FIND is running for three idle timeouts: the association is busy, not idle.
            assertThat(peer.closedWithin(SHORT.multipliedBy(3))).as("closed while a C-FIND was being answered").isFalse();
            findMayFinish.countDown();
            assertThat(ScriptedPeer.commandOf(peer.next()).getInt(0x00000900, -1)).as("final C-FIND-RSP status").isZero();
            long t0 = System.nanoTime();
            peer.expectAbort(AAbort.SOURCE_SERVICE_USER, AAbort.REASON_NOT_SPECIFIED);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("idle time counted from the final response")
                    .isGreaterThan(SHORT.dividedBy(2));
        }
    }

    @Test void aReleasedAssociationBeforeTheIdleTimeoutEndsNormally() throws Exception {
        start(SHORT, LONG, null);
        try (ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            peer.send(storeRq());
            peer.expect(AAssociateAc.class);
            peer.send(ScriptedPeer.echoRq(1));
            assertThat(ScriptedPeer.commandOf(peer.next()).getInt(0x00000900, -1)).isZero();
            peer.send(new AReleaseRq());
            peer.expect(AReleaseRp.class);
        }
        Association as = closed.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(as).isNotNull();
        assertThat(as.failure()).isNull();
    }

    // ---- read timeout ------------------------------------------------------------------------

    @Test void aPduStalledMidwayIsAbortedAfterTheReadTimeout_noFileLeft_threadsBack() throws Exception {
        start(LONG, SHORT, null);
        // Warm up: the timer and pool threads exist before the baseline is taken.
        assertThat(Verification.echo("127.0.0.1", server.port(), OUR_AE, "FRIEND", AssociationOptions.DEFAULT)).isZero();
        await("the warm-up association to end", () -> server.activeAssociations() == 0, WAIT);
        closed.clear();
        int threads0 = busyThreads();
        try (ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            peer.send(storeRq());
            peer.expect(AAssociateAc.class);
            byte[] data = bytesOf(new PDataTf(List.of(new Pdv(CT_PC, false, true, new byte[4000]))));
            peer.send(storeCommand(CT_PC, "1.2.826.0.1.3680043.10.1234.77"), new PDataTf(List.of(new Pdv(CT_PC, false, false, new byte[4000]))));
            peer.sendRaw(Arrays.copyOf(data, 1000)); // the second PDU of the data set, a quarter of it
            await("the SCP to start a temporary file", () -> !files().isEmpty(), WAIT);
            long t0 = System.nanoTime();
            peer.expectAbort(AAbort.SOURCE_SERVICE_USER, AAbort.REASON_NOT_SPECIFIED);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("aborted on the read timeout, not the idle timeout")
                    .isLessThan(LONG);
            peer.expectClosed();
        }
        Association as = closed.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(as).isNotNull();
        assertThat(as.failure()).hasMessageContaining("read timeout of 1 s");
        await("no association left", () -> server.activeAssociations() == 0, WAIT);
        await("no file left (now " + files() + ")", () -> files().isEmpty(), WAIT);
        await("threads back to " + threads0, () -> busyThreads() <= threads0, Duration.ofSeconds(10));
    }

    @Test void aPeerTricklingAPduCannotHoldTheAssociationPastTheReadTimeout() throws Exception {
        start(LONG, SHORT, null);
        ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();
        try (ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            peer.send(storeRq());
            peer.expect(AAssociateAc.class);
            byte[] command = bytesOf(storeCommand(CT_PC, "1.2.826.0.1.3680043.10.1234.78"));
            // One byte every fifth of the read timeout: each read is quick, the PDU never whole.
            AtomicInteger sent = new AtomicInteger();
            trickler.scheduleAtFixedRate(() -> {
                int i = sent.getAndIncrement();
                if (i >= command.length) return;
                try {
                    peer.sendRaw(new byte[] {command[i]});
                } catch (IOException closedByServer) {
                    sent.set(command.length);
                }
            }, 0, SHORT.toMillis() / 5, TimeUnit.MILLISECONDS);
            peer.expectAbort(AAbort.SOURCE_SERVICE_USER, AAbort.REASON_NOT_SPECIFIED);
            assertThat(sent.get()).as("bytes trickled before the abort").isLessThan(command.length);
        } finally {
            trickler.shutdownNow();
        }
        Association as = closed.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(as).isNotNull();
        assertThat(as.failure()).hasMessageContaining("read timeout");
    }

    // ---- A-ASSOCIATE-RQ without presentation context ------------------------------------------

    @Test void anAssociateRqWithoutPresentationContextIsRejected_PS38_9_3_2() throws Exception {
        start(LONG, LONG, null);
        AAssociateRq ok = storeRq();
        try (ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            peer.send(new AAssociateRq(1, ok.calledAeTitle(), ok.callingAeTitle(), ok.applicationContext(), List.of(), ok.userInformation()));
            assertThat(peer.expect(AAssociateRj.class)).isEqualTo(new AAssociateRj(AAssociateRj.RESULT_PERMANENT,
                    AAssociateRj.SOURCE_SERVICE_USER, AAssociateRj.NO_REASON));
            peer.expectClosed();
        }
        await("the rejected association to end", () -> server.activeAssociations() == 0, WAIT);
        assertThat(closed).as("associations that reached the handler").isEmpty();
    }

    // ---- per-caller limit --------------------------------------------------------------------

    @Test void aCallerAtItsLimitIsRefusedTransient_otherCallersAreServed_andItsPlaceComesBack() throws Exception {
        Queue<Caller> refused = new ConcurrentLinkedQueue<>();
        start(LONG, LONG, new CallerLimit(2, refused::add));
        try (ScriptedPeer first = ScriptedPeer.connect(server.port());
             ScriptedPeer second = ScriptedPeer.connect(server.port());
             ScriptedPeer third = ScriptedPeer.connect(server.port())) {
            first.send(storeRq());
            first.expect(AAssociateAc.class);
            second.send(storeRq());
            second.expect(AAssociateAc.class);
            third.send(storeRq());
            // PS3.8 §9.3.4: transient, service provider (presentation), local limit exceeded.
            assertThat(third.expect(AAssociateRj.class)).isEqualTo(new AAssociateRj(AAssociateRj.RESULT_TRANSIENT,
                    AAssociateRj.SOURCE_PROVIDER_PRESENTATION, AAssociateRj.LOCAL_LIMIT_EXCEEDED));
            third.close();
            assertThat(refused).containsExactly(new Caller(PEER_AE, InetAddress.getByName("127.0.0.1")));
            // Another device is served while PEER is at its limit.
            assertThat(Verification.echo("127.0.0.1", server.port(), OUR_AE, "FRIEND", AssociationOptions.DEFAULT)).isZero();
            first.send(new AReleaseRq());
            first.expect(AReleaseRp.class);
            await("PEER's first association to end", () -> server.activeAssociations() == 1, WAIT);
            try (ScriptedPeer again = ScriptedPeer.connect(server.port())) {
                again.send(storeRq());
                again.expect(AAssociateAc.class);
                again.send(new AReleaseRq());
                again.expect(AReleaseRp.class);
            }
            second.send(new AReleaseRq());
            second.expect(AReleaseRp.class);
        }
        assertThat(refused).hasSize(1);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static PDataTf findRq(int pcid) {
        Attributes c = new Attributes();
        c.setString(0x00000002, VR.UI, FIND);
        c.setInt(0x00000100, VR.US, 0x0020);
        c.setInt(0x00000110, VR.US, 5);
        c.setInt(0x00000700, VR.US, 0);
        c.setInt(0x00000800, VR.US, 0x0000);
        // Identifier, implicit VR little endian: (0008,0052) Query/Retrieve Level "STUDY ".
        byte[] level = "STUDY ".getBytes(StandardCharsets.US_ASCII);
        byte[] identifier = new byte[8 + level.length];
        identifier[0] = 0x08;
        identifier[2] = 0x52;
        identifier[4] = (byte) level.length;
        System.arraycopy(level, 0, identifier, 8, level.length);
        return new PDataTf(List.of(new Pdv(pcid, true, true, CommandCodec.encode(c)), new Pdv(pcid, false, true, identifier)));
    }

    private static byte[] bytesOf(PDataTf p) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PduWriter(out).write(p);
        return out.toByteArray();
    }

    private List<String> files() {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
