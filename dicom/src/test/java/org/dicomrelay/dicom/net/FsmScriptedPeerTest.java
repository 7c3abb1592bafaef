package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.net.pdu.AAbort;
import org.dicomrelay.dicom.net.pdu.AAssociateAc;
import org.dicomrelay.dicom.net.pdu.AAssociateRj;
import org.dicomrelay.dicom.net.pdu.AAssociateRq;
import org.dicomrelay.dicom.net.pdu.AReleaseRp;
import org.dicomrelay.dicom.net.pdu.AReleaseRq;
import org.dicomrelay.dicom.net.service.Responder;
import org.dicomrelay.dicom.net.service.Verification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dicomrelay.dicom.net.ScriptedPeer.OUR_AE;
import static org.dicomrelay.dicom.net.ScriptedPeer.PEER_AE;
import static org.dicomrelay.dicom.net.ScriptedPeer.WAIT;
import static org.dicomrelay.dicom.net.ScriptedPeer.ac;
import static org.dicomrelay.dicom.net.ScriptedPeer.commandOf;
import static org.dicomrelay.dicom.net.ScriptedPeer.echoRq;
import static org.dicomrelay.dicom.net.ScriptedPeer.echoRsp;
import static org.dicomrelay.dicom.net.ScriptedPeer.releaseRqWithBadLength;
import static org.dicomrelay.dicom.net.ScriptedPeer.rq;
import static org.dicomrelay.dicom.net.ScriptedPeer.unknownPduType;

/**
 * Our state machine, both as acceptor and as requestor, driven through PS3.8 Table 9-10 by a
 * scripted peer on a real socket: each reachable state is entered by a script, each PDU type (and
 * the transport closing, and invalid PDUs) is sent in it, and what the peer then observes on the
 * wire, and how the association ends, must be what the standard's action for that cell does.
 * The expected action comes from {@link Ps38Expected}, not from the implementation's table.
 *
 * <p>Not reachable from a peer: Sta1 and Sta4 (no connection), Sta3, Sta8, Sta9 and Sta12 (our
 * local user answers at once, on the same thread, before the next PDU is read).
 */
@Timeout(30)
class FsmScriptedPeerTest {
    /** Long enough that any close seen within {@link ScriptedPeer#WAIT} is the action under test, not ARTIM. */
    static final AssociationOptions OPTIONS = AssociationOptions.DEFAULT.withArtim(Duration.ofSeconds(20));
    static final Duration SHORT_ARTIM = Duration.ofMillis(500);
    /** A C-ECHO-RQ with this message ID makes our acceptor issue A-RELEASE after answering it. */
    static final int RELEASE_AFTER = 2;

    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fsm-test");
        t.setDaemon(true);
        return t;
    });
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach void cleanUp() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) c.close();
        pool.shutdownNow();
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        toClose.add(c);
        return c;
    }

    // ---- the matrix ------------------------------------------------------------------------

    /** Where a script leaves our side before the stimulus. */
    enum Setup {
        ACCEPTOR_STA2(State.STA2, false), ACCEPTOR_STA6(State.STA6, false), ACCEPTOR_STA7(State.STA7, false),
        ACCEPTOR_STA10(State.STA10, false), ACCEPTOR_STA13_AFTER_REJECT(State.STA13, false),
        ACCEPTOR_STA13_AFTER_RELEASE(State.STA13, false),
        REQUESTOR_STA5(State.STA5, true), REQUESTOR_STA6(State.STA6, true), REQUESTOR_STA7(State.STA7, true),
        REQUESTOR_STA11(State.STA11, true), REQUESTOR_STA13_AFTER_ABORT(State.STA13, true);

        final State state;
        final boolean requestor;

        Setup(State state, boolean requestor) {
            this.state = state;
            this.requestor = requestor;
        }

        @Override public String toString() {
            String n = name().toLowerCase().replace('_', ' ');
            return n.replace("sta", "Sta");
        }
    }

    /** What the peer does in that state: every received-PDU event of Table 9-2, and Evt17. */
    enum Stimulus {
        AC(FsmEvent.EVT3, AAbort.UNEXPECTED_PDU),
        RJ(FsmEvent.EVT4, AAbort.UNEXPECTED_PDU),
        RQ(FsmEvent.EVT6, AAbort.UNEXPECTED_PDU),
        P_DATA(FsmEvent.EVT10, AAbort.UNEXPECTED_PDU),
        RELEASE_RQ(FsmEvent.EVT12, AAbort.UNEXPECTED_PDU),
        RELEASE_RP(FsmEvent.EVT13, AAbort.UNEXPECTED_PDU),
        ABORT(FsmEvent.EVT16, -1),
        CLOSE(FsmEvent.EVT17, -1),
        RESET(FsmEvent.EVT17, -1),
        UNKNOWN_PDU_TYPE(FsmEvent.EVT19, AAbort.UNRECOGNIZED_PDU),
        BAD_PDU_LENGTH(FsmEvent.EVT19, AAbort.INVALID_PDU_PARAMETER_VALUE);

        final FsmEvent event;
        /** The reason of the provider's A-ABORT (PS3.8 §9.3.8) if this is refused. */
        final int reason;

        Stimulus(FsmEvent event, int reason) {
            this.event = event;
            this.reason = reason;
        }

        void apply(ScriptedPeer p) throws IOException {
            switch (this) {
                case AC -> p.send(ac());
                case RJ -> p.send(new AAssociateRj(AAssociateRj.RESULT_PERMANENT, AAssociateRj.SOURCE_SERVICE_USER, AAssociateRj.NO_REASON));
                case RQ -> p.send(rq());
                // A response that nobody waits for: delivered (DT-2, AR-6) and dropped, never answered.
                case P_DATA -> p.send(echoRsp(0x7FFF));
                case RELEASE_RQ -> p.send(new AReleaseRq());
                case RELEASE_RP -> p.send(new AReleaseRp());
                case ABORT -> p.send(AAbort.byUser());
                case CLOSE -> p.close();
                case RESET -> p.reset();
                case UNKNOWN_PDU_TYPE -> p.sendRaw(unknownPduType());
                case BAD_PDU_LENGTH -> p.sendRaw(releaseRqWithBadLength());
            }
        }

        @Override public String toString() {
            return event + " " + name().toLowerCase().replace('_', '-');
        }
    }

    static Stream<Arguments> cells() {
        return Stream.of(Setup.values()).flatMap(s -> Stream.of(Stimulus.values()).map(e -> Arguments.of(s, e)));
    }

    @ParameterizedTest(name = "{0} + {1}")
    @MethodSource("cells")
    void peerEventGetsTheReactionOfTable9_10(Setup setup, Stimulus stimulus) throws Exception {
        Scene scene = enter(setup);
        Action action = Ps38Expected.action(setup.state, stimulus.event);
        assertThat(action).as("PS3.8 has an entry for %s+%s", setup.state, stimulus.event).isNotNull();
        ScriptedPeer peer = scene.peer;
        stimulus.apply(peer);
        Outcome expected = switch (action) {
            case AA_1 -> { // Table 9-9 gives AA-1 the service-user source
                peer.expectAbort(AAbort.SOURCE_SERVICE_USER, AAbort.REASON_NOT_SPECIFIED);
                peer.close();
                yield Outcome.FAILED;
            }
            case AA_8 -> {
                peer.expectAbort(AAbort.SOURCE_SERVICE_PROVIDER, stimulus.reason);
                peer.close();
                yield Outcome.FAILED;
            }
            case AA_7 -> { // Sta13: the association had already ended, as it had
                peer.expectAbort(AAbort.SOURCE_SERVICE_PROVIDER, stimulus.reason);
                peer.close();
                yield scene.before;
            }
            case AA_6 -> {
                // Ignored: the first thing to come back is the answer to a probe sent after it.
                peer.sendRaw(unknownPduType());
                peer.expectAbort(AAbort.SOURCE_SERVICE_PROVIDER, AAbort.UNRECOGNIZED_PDU);
                peer.close();
                yield scene.before;
            }
            case AA_2 -> { // Evt16 in Sta2 or Sta13: we close at once, sending nothing
                peer.expectClosed();
                yield setup.state == State.STA2 ? Outcome.FAILED : scene.before;
            }
            case AA_3 -> {
                peer.expectClosed();
                yield Outcome.FAILED;
            }
            case AA_4 -> Outcome.FAILED;
            case AA_5 -> Outcome.NORMAL; // closed before any association: nothing failed
            case AR_5 -> scene.before;
            case AR_2 -> {
                peer.expect(AReleaseRp.class);
                peer.close();
                yield Outcome.NORMAL;
            }
            case DT_2 -> { // still in Sta6: a release is answered
                peer.send(new AReleaseRq());
                peer.expect(AReleaseRp.class);
                peer.close();
                yield Outcome.NORMAL;
            }
            case AR_6 -> { // still in Sta7: our release completes
                peer.send(new AReleaseRp());
                peer.expectClosed();
                yield Outcome.NORMAL;
            }
            case AR_3 -> {
                peer.expectClosed();
                yield Outcome.NORMAL;
            }
            case AR_8 -> {
                if (setup.requestor) { // Sta9, AR-9: the requestor answers first, then waits (Sta11)
                    peer.expect(AReleaseRp.class);
                    peer.send(new AReleaseRp());
                    peer.expectClosed();
                } else { // Sta10: the acceptor waits for the requestor's answer, then answers (AR-10, AR-4)
                    peer.send(new AReleaseRp());
                    peer.expect(AReleaseRp.class);
                    peer.close();
                }
                yield Outcome.NORMAL;
            }
            case AR_10 -> {
                peer.expect(AReleaseRp.class);
                peer.close();
                yield Outcome.NORMAL;
            }
            case AE_6 -> { // acceptable: indication, and our user accepts
                peer.expect(AAssociateAc.class);
                peer.send(new AReleaseRq());
                peer.expect(AReleaseRp.class);
                peer.close();
                yield Outcome.NORMAL;
            }
            case AE_3 -> {
                Association as = scene.requestor.association();
                assertThat(as.state()).isEqualTo(State.STA6);
                peer.send(new AReleaseRq());
                peer.expect(AReleaseRp.class);
                peer.close();
                assertThat(as.awaitEnd(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
                assertThat(as.failure()).isNull();
                yield Outcome.NORMAL;
            }
            case AE_4 -> {
                peer.expectClosed();
                yield Outcome.REJECTED;
            }
            default -> throw new AssertionError(action + " does not follow a received event");
        };
        assertThat(scene.outcome.call()).as("how the association ended after %s", action).isEqualTo(expected);
    }

    // ---- release collision -----------------------------------------------------------------

    @Test void releaseCollisionAsRequestor_Sta7ToSta9ToSta11_endsInRelease() throws Exception {
        OurRequestor us = closeLater(new OurRequestor(OPTIONS));
        ScriptedPeer peer = closeLater(us.listener.accept());
        peer.send(ac(peer.expect(AAssociateRq.class)));
        Association as = us.association();
        us.releaseInBackground();
        peer.expect(AReleaseRq.class);
        peer.send(new AReleaseRq()); // crossed ours on the wire
        peer.expect(AReleaseRp.class); // the requestor answers first (AR-9)
        peer.send(new AReleaseRp());
        peer.expectClosed(); // AR-3
        assertThat(outcome(us.released)).isEqualTo(Outcome.NORMAL);
        assertThat(as.transitions()).map(Object::toString).containsSubsequence(
                "Sta6+Evt11->AR-1->Sta7", "Sta7+Evt12->AR-8->Sta9", "Sta9+Evt14->AR-9->Sta11", "Sta11+Evt13->AR-3->Sta1");
    }

    @Test void releaseCollisionAsAcceptor_Sta7ToSta10ToSta12_endsInRelease() throws Exception {
        OurAcceptor us = closeLater(new OurAcceptor(OPTIONS));
        ScriptedPeer peer = closeLater(ScriptedPeer.connect(us.port()));
        peer.send(rq());
        peer.expect(AAssociateAc.class);
        peer.send(echoRq(RELEASE_AFTER));
        assertThat(commandOf(peer.next()).getInt(0x00000900, -1)).isZero();
        peer.expect(AReleaseRq.class);
        peer.send(new AReleaseRq()); // crossed ours: as acceptor we wait for the requestor's answer (Sta10)
        peer.send(new AReleaseRp()); // ... which comes first; then we answer (AR-10, AR-4)
        peer.expect(AReleaseRp.class);
        peer.close();
        assertThat(us.outcome()).isEqualTo(Outcome.NORMAL);
        assertThat(outcome(us.released)).isEqualTo(Outcome.NORMAL);
        assertThat(us.association.get().transitions()).map(Object::toString).containsSubsequence(
                "Sta6+Evt11->AR-1->Sta7", "Sta7+Evt12->AR-8->Sta10", "Sta10+Evt13->AR-10->Sta12",
                "Sta12+Evt14->AR-4->Sta13", "Sta13+Evt17->AR-5->Sta1");
    }

    // ---- ARTIM and our own timers ---------------------------------------------------------

    @Test void artimExpiryInSta2ClosesASilentConnection_AA2() throws Exception {
        OurAcceptor us = closeLater(new OurAcceptor(OPTIONS.withArtim(SHORT_ARTIM)));
        ScriptedPeer peer = closeLater(ScriptedPeer.connect(us.port()));
        long t0 = System.nanoTime();
        peer.expectClosed();
        assertThat(millisSince(t0)).as("closed by the timer, not before it").isGreaterThanOrEqualTo(250);
        assertThat(us.failure()).hasMessageContaining("ARTIM timer expired in Sta2");
    }

    @Test void artimInSta2IsADeadline_aRequestorTricklingItsRequestIsClosed() throws Exception {
        // A read timeout alone would restart with every byte; the ARTIM timer runs from the connection.
        OurAcceptor us = closeLater(new OurAcceptor(OPTIONS.withArtim(SHORT_ARTIM)));
        ScriptedPeer peer = closeLater(ScriptedPeer.connect(us.port()));
        byte[] request = encode(rq());
        long t0 = System.nanoTime();
        int sent = 0;
        boolean closed = false;
        while (!closed && sent < request.length) {
            try {
                peer.sendRaw(new byte[] {request[sent++]});
            } catch (IOException e) {
                closed = true; // already reset by our side
                break;
            }
            closed = peer.closedWithin(Duration.ofMillis(100)); // paces the trickle and watches for the close
        }
        assertThat(closed).as("closed before the whole A-ASSOCIATE-RQ (%d bytes) trickled in", request.length).isTrue();
        assertThat(millisSince(t0)).isBetween(250L, 4000L);
        assertThat(us.outcome()).isEqualTo(Outcome.FAILED);
    }

    @Test void artimExpiryInSta13AfterReject_AA2() throws Exception {
        OurAcceptor us = closeLater(new OurAcceptor(OPTIONS.withArtim(SHORT_ARTIM)));
        ScriptedPeer peer = closeLater(ScriptedPeer.connect(us.port()));
        peer.send(rq("NOBODY", PEER_AE));
        peer.expect(AAssociateRj.class);
        long t0 = System.nanoTime();
        peer.expectClosed(); // the peer never closes: we do, when ARTIM expires
        assertThat(millisSince(t0)).isGreaterThanOrEqualTo(250);
        assertThat(us.outcome()).isEqualTo(Outcome.REJECTED);
    }

    @Test void artimExpiryInSta13AfterRelease_AA2() throws Exception {
        OurAcceptor us = closeLater(new OurAcceptor(OPTIONS.withArtim(SHORT_ARTIM)));
        ScriptedPeer peer = closeLater(ScriptedPeer.connect(us.port()));
        peer.send(rq());
        peer.expect(AAssociateAc.class);
        peer.send(new AReleaseRq());
        peer.expect(AReleaseRp.class);
        long t0 = System.nanoTime();
        peer.expectClosed();
        assertThat(millisSince(t0)).isGreaterThanOrEqualTo(250);
        assertThat(us.outcome()).as("the release had completed; the peer's lingering is not a failure").isEqualTo(Outcome.NORMAL);
        assertThat(us.association.get().transitions()).map(Object::toString).endsWith("Sta13+Evt18->AA-2->Sta1");
    }

    @Test void artimExpiryInSta13AsRequestor_AA2() throws Exception {
        OurRequestor us = closeLater(new OurRequestor(OPTIONS.withArtim(SHORT_ARTIM)));
        ScriptedPeer peer = closeLater(us.listener.accept());
        peer.send(ac(peer.expect(AAssociateRq.class)));
        Association as = us.association();
        peer.send(new AReleaseRp()); // unexpected in Sta6: AA-8, Sta13
        peer.expectAbort(AAbort.SOURCE_SERVICE_PROVIDER, AAbort.UNEXPECTED_PDU);
        long t0 = System.nanoTime();
        peer.expectClosed();
        assertThat(millisSince(t0)).isGreaterThanOrEqualTo(250);
        assertThat(as.awaitEnd(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(as.transitions()).map(Object::toString).endsWith("Sta13+Evt18->AA-2->Sta1");
    }

    @Test void silentAcceptorInSta5_weAbortAfterArtim() throws Exception {
        // The table has no timer in Sta5; bounding the wait is ours, so it is a local A-ABORT (Evt15, AA-1).
        OurRequestor us = closeLater(new OurRequestor(OPTIONS.withArtim(SHORT_ARTIM)));
        ScriptedPeer peer = closeLater(us.listener.accept());
        peer.expect(AAssociateRq.class);
        peer.expectAbort(AAbort.SOURCE_SERVICE_USER, AAbort.REASON_NOT_SPECIFIED);
        peer.expectClosed();
        assertThat(failureOf(us.connected)).hasMessageContaining("no PDU from the peer").hasMessageContaining("Sta5");
    }

    @Test void silentAcceptorInSta7_releaseTimesOutAndAborts() throws Exception {
        AssociationOptions o = OPTIONS.withArtim(SHORT_ARTIM);
        o = new AssociationOptions(o.maxPduReceive(), o.maxPduSend(), o.connectTimeout(), o.artim(), o.idleTimeout(),
                o.dimseTimeout(), Duration.ofMillis(500), o.implementationClassUid(), o.implementationVersionName(), o.writeTimeout());
        OurRequestor us = closeLater(new OurRequestor(o));
        ScriptedPeer peer = closeLater(us.listener.accept());
        peer.send(ac(peer.expect(AAssociateRq.class)));
        us.association();
        us.releaseInBackground();
        peer.expect(AReleaseRq.class);
        peer.expectAbort(AAbort.SOURCE_SERVICE_USER, AAbort.REASON_NOT_SPECIFIED);
        peer.expectClosed();
        assertThat(us.released.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).hasMessageContaining("no A-RELEASE-RP");
    }

    // ---- AE-6 and PDU framing --------------------------------------------------------------

    @Test void requestWithUnsupportedProtocolVersionIsRejectedByTheProvider_AE6() throws Exception {
        OurAcceptor us = closeLater(new OurAcceptor(OPTIONS));
        ScriptedPeer peer = closeLater(ScriptedPeer.connect(us.port()));
        AAssociateRq ok = rq();
        peer.send(new AAssociateRq(2, ok.calledAeTitle(), ok.callingAeTitle(), ok.applicationContext(),
                ok.presentationContexts(), ok.userInformation()));
        assertThat(peer.expect(AAssociateRj.class)).isEqualTo(new AAssociateRj(AAssociateRj.RESULT_PERMANENT,
                AAssociateRj.SOURCE_PROVIDER_ACSE, AAssociateRj.PROTOCOL_VERSION_NOT_SUPPORTED));
        peer.close();
        assertThat(us.failure()).hasMessageContaining("protocol version 2");
    }

    @Test void aPduRefusedOnItsHeaderIsSkipped_theNextOneIsStillFound() throws Exception {
        // Sta13 must tell an A-ASSOCIATE-RQ (AA-7) from other PDUs (AA-6), so framing must survive a bad one.
        OurAcceptor us = closeLater(new OurAcceptor(OPTIONS));
        ScriptedPeer peer = closeLater(ScriptedPeer.connect(us.port()));
        peer.send(rq("NOBODY", PEER_AE));
        peer.expect(AAssociateRj.class);
        peer.sendRaw(releaseRqWithBadLength()); // AA-7, reason 6; its 6-byte body must not be read as a PDU
        peer.send(new AReleaseRq()); // AA-6: ignored
        peer.sendRaw(unknownPduType()); // AA-7, reason 1
        peer.expectAbort(AAbort.SOURCE_SERVICE_PROVIDER, AAbort.INVALID_PDU_PARAMETER_VALUE);
        peer.expectAbort(AAbort.SOURCE_SERVICE_PROVIDER, AAbort.UNRECOGNIZED_PDU);
        peer.close();
        assertThat(us.outcome()).isEqualTo(Outcome.REJECTED);
    }

    @Test void aDimseLevelProtocolErrorIsAnAA8_weStayInSta13UntilThePeerCloses() throws Exception {
        // A data PDV with no command before it is only found invalid above the PDU layer; the
        // machine must still go through AA-8 to Sta13, not drop the connection under the A-ABORT.
        OurAcceptor us = closeLater(new OurAcceptor(OPTIONS));
        ScriptedPeer peer = closeLater(ScriptedPeer.connect(us.port()));
        peer.send(rq());
        peer.expect(AAssociateAc.class);
        peer.send(new org.dicomrelay.dicom.net.pdu.PDataTf(List.of(
                new org.dicomrelay.dicom.net.pdu.Pdv(ScriptedPeer.ECHO_PC, false, true, new byte[8]))));
        peer.expectAbort(AAbort.SOURCE_SERVICE_PROVIDER, AAbort.UNEXPECTED_PDU_PARAMETER);
        peer.send(new AReleaseRq()); // AA-6: ignored
        peer.sendRaw(unknownPduType()); // AA-7: answered, so we are still reading in Sta13
        peer.expectAbort(AAbort.SOURCE_SERVICE_PROVIDER, AAbort.UNRECOGNIZED_PDU);
        peer.close(); // AR-5
        assertThat(us.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(us.association.get().transitions()).map(Object::toString)
                .containsSubsequence("Sta6+Evt19->AA-8->Sta13", "Sta13+Evt12->AA-6->Sta13", "Sta13+Evt19->AA-7->Sta13",
                        "Sta13+Evt17->AR-5->Sta1");
    }

    // ---- fixtures --------------------------------------------------------------------------

    enum Outcome { NORMAL, FAILED, REJECTED }

    static Outcome classify(Throwable t) {
        if (t == null) return Outcome.NORMAL;
        if (t instanceof ExecutionException e) t = e.getCause();
        return t instanceof AssociationRejectedException ? Outcome.REJECTED : Outcome.FAILED;
    }

    static Outcome outcome(CompletableFuture<Throwable> f) throws Exception {
        return classify(f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }

    static Throwable failureOf(CompletableFuture<?> f) throws Exception {
        try {
            f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure");
    }

    static long millisSince(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    static byte[] encode(AAssociateRq rq) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        new org.dicomrelay.dicom.net.pdu.PduWriter(b).write(rq);
        return b.toByteArray();
    }

    @FunctionalInterface
    interface IoAction {
        void run() throws IOException;
    }

    static Throwable outcomeOf(IoAction a) {
        try {
            a.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /** A state reached by a script, and how to learn how the association ended. */
    private record Scene(ScriptedPeer peer, Callable<Outcome> outcome, Outcome before, OurRequestor requestor) {}

    private Scene enter(Setup setup) throws Exception {
        if (!setup.requestor) {
            OurAcceptor us = closeLater(new OurAcceptor(OPTIONS));
            ScriptedPeer peer = closeLater(ScriptedPeer.connect(us.port()));
            Callable<Outcome> outcome = us::outcome;
            switch (setup) {
                case ACCEPTOR_STA2 -> { return new Scene(peer, outcome, null, null); }
                case ACCEPTOR_STA13_AFTER_REJECT -> {
                    peer.send(rq("NOBODY", PEER_AE));
                    peer.expect(AAssociateRj.class); // AE-8
                    return new Scene(peer, outcome, Outcome.REJECTED, null);
                }
                default -> { }
            }
            peer.send(rq());
            peer.expect(AAssociateAc.class);
            switch (setup) {
                case ACCEPTOR_STA13_AFTER_RELEASE -> {
                    peer.send(new AReleaseRq());
                    peer.expect(AReleaseRp.class); // AR-2, AR-4
                    return new Scene(peer, outcome, Outcome.NORMAL, null);
                }
                case ACCEPTOR_STA7, ACCEPTOR_STA10 -> {
                    peer.send(echoRq(RELEASE_AFTER));
                    assertThat(commandOf(peer.next()).getInt(0x00000900, -1)).isZero();
                    peer.expect(AReleaseRq.class); // AR-1
                    if (setup == Setup.ACCEPTOR_STA10) peer.send(new AReleaseRq()); // AR-8; nothing is sent
                }
                default -> { }
            }
            return new Scene(peer, outcome, null, null);
        }
        OurRequestor us = closeLater(new OurRequestor(OPTIONS));
        ScriptedPeer peer = closeLater(us.listener.accept());
        AAssociateRq request = peer.expect(AAssociateRq.class);
        if (setup == Setup.REQUESTOR_STA5) return new Scene(peer, () -> classify(us.connectFailure()), null, us);
        peer.send(ac(request));
        Association as = us.association();
        Callable<Outcome> ended = () -> {
            assertThat(as.awaitEnd(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("association ended").isTrue();
            return as.failure() == null ? Outcome.NORMAL : Outcome.FAILED;
        };
        switch (setup) {
            case REQUESTOR_STA6 -> { return new Scene(peer, ended, null, us); }
            case REQUESTOR_STA13_AFTER_ABORT -> {
                peer.send(new AReleaseRp());
                peer.expectAbort(AAbort.SOURCE_SERVICE_PROVIDER, AAbort.UNEXPECTED_PDU); // AA-8
                return new Scene(peer, ended, Outcome.FAILED, us);
            }
            default -> { }
        }
        us.releaseInBackground();
        peer.expect(AReleaseRq.class); // AR-1: Sta7
        if (setup == Setup.REQUESTOR_STA11) {
            peer.send(new AReleaseRq());
            peer.expect(AReleaseRp.class); // AR-8, AR-9: Sta11
        }
        return new Scene(peer, () -> outcome(us.released), null, us);
    }

    /** Our acceptor on one connection: {@link Association#accept} as {@link DicomServer} runs it, with C-ECHO. */
    private final class OurAcceptor implements AutoCloseable {
        final ServerSocket server = new ServerSocket();
        /** What accept() ended with: null when it returned normally. */
        final CompletableFuture<Throwable> accepted = new CompletableFuture<>();
        final CompletableFuture<Association> association = new CompletableFuture<>();
        final CompletableFuture<Throwable> released = new CompletableFuture<>();
        private volatile Socket socket;

        OurAcceptor(AssociationOptions options) throws IOException {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            ApplicationEntity ae = new ApplicationEntity(OUR_AE).accept(Verification.SOP_CLASS, Verification.IMPLICIT_LE).options(options);
            RequestHandler handler = new RequestHandler() {
                @Override public void onRequest(Association as, int pcid, Attributes command, InputStream data) throws IOException {
                    association.complete(as);
                    if (command.getInt(0x00000100, -1) != 0x0030) return;
                    as.send(pcid, Responder.response(command, 0x8030, 0x0000), null);
                    // Released from a thread of its own, as a service would: the reading thread must stay free.
                    if (command.getInt(0x00000110, -1) == RELEASE_AFTER) pool.execute(() -> released.complete(outcomeOf(as::release)));
                }

                @Override public void onClose(Association as) {
                    association.complete(as);
                }
            };
            pool.execute(() -> {
                try (Socket s = server.accept()) {
                    socket = s;
                    Association.accept(s, options, ae, handler);
                    accepted.complete(null);
                } catch (Throwable t) {
                    accepted.complete(t);
                }
            });
        }

        int port() { return server.getLocalPort(); }

        Outcome outcome() throws Exception {
            return FsmScriptedPeerTest.outcome(accepted);
        }

        Throwable failure() throws Exception {
            Throwable t = accepted.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(t).as("accept() failed").isNotNull();
            return t;
        }

        @Override public void close() throws IOException {
            server.close();
            Socket s = socket;
            if (s != null) s.close();
        }
    }

    /** Our requestor: {@link Association#connect} to a scripted acceptor, on a thread of its own. */
    private final class OurRequestor implements AutoCloseable {
        final ScriptedPeer.Listener listener = new ScriptedPeer.Listener();
        final CompletableFuture<Association> connected = new CompletableFuture<>();
        final CompletableFuture<Throwable> released = new CompletableFuture<>();

        OurRequestor(AssociationOptions options) throws IOException {
            AAssociateRq request = rq(PEER_AE, OUR_AE);
            pool.execute(() -> {
                try {
                    connected.complete(Association.connect("127.0.0.1", listener.port(), request, options, null));
                } catch (Throwable t) {
                    connected.completeExceptionally(t);
                }
            });
        }

        Association association() throws Exception {
            return connected.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        Throwable connectFailure() throws Exception {
            try {
                connected.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                return null;
            } catch (ExecutionException e) {
                return e.getCause();
            }
        }

        void releaseInBackground() throws Exception {
            Association as = association();
            pool.execute(() -> released.complete(outcomeOf(as::release)));
        }

        @Override public void close() throws IOException {
            listener.close();
            if (connected.isDone() && !connected.isCompletedExceptionally()) connected.join().abort();
        }
    }
}
