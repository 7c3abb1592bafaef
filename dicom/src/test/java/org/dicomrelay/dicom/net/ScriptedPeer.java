package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.net.dimse.CommandCodec;
import org.dicomrelay.dicom.net.pdu.AAbort;
import org.dicomrelay.dicom.net.pdu.AAssociateAc;
import org.dicomrelay.dicom.net.pdu.AAssociateRq;
import org.dicomrelay.dicom.net.pdu.PDataTf;
import org.dicomrelay.dicom.net.pdu.Pdu;
import org.dicomrelay.dicom.net.pdu.PduReader;
import org.dicomrelay.dicom.net.pdu.PduWriter;
import org.dicomrelay.dicom.net.pdu.Pdv;
import org.dicomrelay.dicom.net.pdu.PresentationContext;
import org.dicomrelay.dicom.net.pdu.UserInformation;
import org.dicomrelay.dicom.net.service.Verification;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A DICOM peer on a raw socket, for protocol tests: it sends exactly the PDUs or bytes a test
 * scripts, and records what it receives. Every wait is a socket read with a timeout: a test never
 * sleeps for the other side to catch up, it waits for the PDU or the close it expects. Loopback only.
 */
final class ScriptedPeer implements AutoCloseable {
    /** How long to wait for something that should happen promptly. */
    static final Duration WAIT = Duration.ofSeconds(5);

    private final Socket socket;
    private final PduReader reader;
    private final OutputStream out;
    private final PduWriter writer;
    private final List<Pdu> received = new ArrayList<>();

    private ScriptedPeer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.reader = new PduReader(new BufferedInputStream(socket.getInputStream()), 0);
        this.out = socket.getOutputStream();
        this.writer = new PduWriter(out);
    }

    /** A requestor-side peer: connects to our acceptor. */
    static ScriptedPeer connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) WAIT.toMillis());
        return new ScriptedPeer(s);
    }

    /** An acceptor-side peer: listens on 127.0.0.1 for our requestor. */
    static final class Listener implements AutoCloseable {
        private final ServerSocket server = new ServerSocket();

        Listener() throws IOException {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        }

        int port() { return server.getLocalPort(); }

        ScriptedPeer accept() throws IOException {
            server.setSoTimeout((int) WAIT.toMillis());
            return new ScriptedPeer(server.accept());
        }

        @Override public void close() throws IOException {
            server.close();
        }
    }

    ScriptedPeer send(Pdu... pdus) throws IOException {
        for (Pdu p : pdus) writer.write(p);
        return this;
    }

    ScriptedPeer sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** The next PDU from the other side, or null if it closed the connection (FIN or RST) first. */
    Pdu next(Duration within) throws IOException {
        socket.setSoTimeout((int) Math.max(1, within.toMillis()));
        try {
            Pdu p = reader.read();
            if (p != null) received.add(p);
            return p;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("nothing from the other side within " + within.toMillis() + " ms; received so far: " + received);
        } catch (SocketException | EOFException e) {
            return null;
        }
    }

    Pdu next() throws IOException {
        return next(WAIT);
    }

    <T extends Pdu> T expect(Class<T> type) throws IOException {
        Pdu p = next();
        assertThat(p).as("expected %s; received so far: %s", type.getSimpleName(), received).isInstanceOf(type);
        return type.cast(p);
    }

    /** Expects an A-ABORT with this source and reason as the next PDU. */
    AAbort expectAbort(int source, int reason) throws IOException {
        AAbort a = expect(AAbort.class);
        assertThat(a).as("A-ABORT source and reason").isEqualTo(new AAbort(source, reason));
        return a;
    }

    /** Expects the other side to close the connection within {@code within}, sending nothing before. */
    void expectClosed(Duration within) throws IOException {
        Pdu p = next(within);
        assertThat(p).as("expected the connection to be closed with nothing sent; received: %s", received).isNull();
    }

    void expectClosed() throws IOException {
        expectClosed(WAIT);
    }

    /**
     * True if the other side closed the connection within {@code within}, false if it is still
     * open (a read timeout, which here is the point); a PDU arriving fails the test.
     */
    boolean closedWithin(Duration within) throws IOException {
        socket.setSoTimeout((int) Math.max(1, within.toMillis()));
        try {
            Pdu p = reader.read();
            if (p == null) return true;
            received.add(p);
            throw new AssertionError("expected nothing or a close, received " + p);
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException | EOFException e) {
            return true;
        }
    }

    List<Pdu> received() { return List.copyOf(received); }

    /** Closes the connection in the orderly way (FIN): Evt17 for the other side. */
    @Override public void close() throws IOException {
        socket.close();
    }

    /** Closes with a reset (RST), as a crashed peer or a middlebox would: also Evt17. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    // ---- canned PDUs ---------------------------------------------------------------------

    static final String OUR_AE = "OURSCP";
    static final String PEER_AE = "PEER";
    /** The Verification context's ID in {@link #rq()}. */
    static final int ECHO_PC = 1;

    static AAssociateRq rq() {
        return rq(OUR_AE, PEER_AE);
    }

    static AAssociateRq rq(String called, String calling) {
        AssociationRequest r = new AssociationRequest(called, calling);
        r.propose(Verification.SOP_CLASS, Verification.IMPLICIT_LE);
        return r.build(AssociationOptions.DEFAULT);
    }

    /** Accepts every context of {@code rq} with its first transfer syntax. */
    static AAssociateAc ac(AAssociateRq rq) {
        List<PresentationContext> pcs = new ArrayList<>();
        for (PresentationContext pc : rq.presentationContexts()) {
            pcs.add(PresentationContext.ac(pc.id(), PresentationContext.ACCEPTANCE, pc.transferSyntaxes().get(0)));
        }
        return new AAssociateAc(1, rq.calledAeTitle(), rq.callingAeTitle(), rq.applicationContext(), pcs,
                UserInformation.of(16384, "1.2.3.4", "SCRIPTED"));
    }

    static AAssociateAc ac() {
        return ac(rq());
    }

    /** A C-ECHO-RQ command (PS3.7 §9.3.5) in one P-DATA-TF. */
    static PDataTf echoRq(int messageId) {
        Attributes c = new Attributes();
        c.setString(0x00000002, VR.UI, Verification.SOP_CLASS);
        c.setInt(0x00000100, VR.US, 0x0030);
        c.setInt(0x00000110, VR.US, messageId);
        c.setInt(0x00000800, VR.US, 0x0101);
        return command(c);
    }

    /** A C-ECHO-RSP (success) to message {@code messageIdBeingRespondedTo}. */
    static PDataTf echoRsp(int messageIdBeingRespondedTo) {
        Attributes c = new Attributes();
        c.setString(0x00000002, VR.UI, Verification.SOP_CLASS);
        c.setInt(0x00000100, VR.US, 0x8030);
        c.setInt(0x00000120, VR.US, messageIdBeingRespondedTo);
        c.setInt(0x00000800, VR.US, 0x0101);
        c.setInt(0x00000900, VR.US, 0x0000);
        return command(c);
    }

    static PDataTf command(Attributes c) {
        return new PDataTf(List.of(new Pdv(ECHO_PC, true, true, CommandCodec.encode(c))));
    }

    /** Decodes the command set carried by a single-PDV P-DATA-TF. */
    static Attributes commandOf(Pdu p) throws IOException {
        assertThat(p).isInstanceOf(PDataTf.class);
        Pdv pdv = ((PDataTf) p).pdvs().get(0);
        assertThat(pdv.command()).isTrue();
        return CommandCodec.decode(pdv.data(), pdv.offset(), pdv.length());
    }

    /** A PDU of type 08H, which PS3.8 §9.3.1 does not define. */
    static byte[] unknownPduType() {
        return new byte[] {0x08, 0, 0, 0, 0, 4, 0, 0, 0, 0};
    }

    /** An A-RELEASE-RQ whose length is 6 instead of the fixed 4 (PS3.8 §9.3.6). */
    static byte[] releaseRqWithBadLength() {
        return new byte[] {0x05, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0};
    }
}
