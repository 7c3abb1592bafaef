package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DataSetReader;
import org.dicomrelay.dicom.io.DicomInputStream;
import org.dicomrelay.dicom.net.dimse.CommandCodec;
import org.dicomrelay.dicom.net.pdu.AAbort;
import org.dicomrelay.dicom.net.pdu.AAssociateAc;
import org.dicomrelay.dicom.net.pdu.AAssociateRj;
import org.dicomrelay.dicom.net.pdu.AAssociateRq;
import org.dicomrelay.dicom.net.pdu.AReleaseRp;
import org.dicomrelay.dicom.net.pdu.AReleaseRq;
import org.dicomrelay.dicom.net.pdu.PDataTf;
import org.dicomrelay.dicom.net.pdu.Pdu;
import org.dicomrelay.dicom.net.pdu.PduFormatException;
import org.dicomrelay.dicom.net.pdu.PduReader;
import org.dicomrelay.dicom.net.pdu.PduWriter;
import org.dicomrelay.dicom.net.pdu.Pdv;
import org.dicomrelay.dicom.net.pdu.PresentationContext;

import javax.net.ssl.SSLException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One DICOM association, either side (PS3.8). Every PDU received and every local primitive is an
 * event looked up in {@link StateTable}; what the table does not allow aborts the association.
 * A single reader thread receives; senders serialise whole messages on a write lock, so the
 * PDVs of two messages never interleave. Data sets stream in both directions in PDV-sized
 * pieces: memory per association is a few PDUs.
 */
public final class Association implements Closeable {
    private static final System.Logger LOG = System.getLogger(Association.class.getName());
    private static final int MAX_COMMAND = 64 * 1024;
    /** Responses with a data set larger than this (C-FIND matches are small) are refused. */
    private static final long MAX_RESPONSE_DATA = 16L << 20;

    static final ScheduledExecutorService TIMERS;
    static {
        TIMERS = Transport.daemonScheduler("dicom-timers");
        TIMERS.scheduleWithFixedDelay(Association::sweepBlockedWrites, 1, 1, TimeUnit.SECONDS);
    }

    /** Associations writing right now, watched for writes that a peer no longer reads. */
    private static final java.util.Set<Association> LIVE = ConcurrentHashMap.newKeySet();

    /** When the write in progress began (System.nanoTime), or 0 when not writing. */
    private volatile long writingSince;

    private static void sweepBlockedWrites() {
        long now = System.nanoTime();
        for (Association as : LIVE) {
            long since = as.writingSince;
            if (since != 0 && now - since > as.options.writeTimeout().toNanos()) {
                as.fail(new AssociationException("the peer stopped reading for " + as.options.writeTimeout().toSeconds()
                        + " s while we were sending: connection closed"));
                as.transport.abort();
            }
        }
    }

    /** Runs a socket write under the watchdog. */
    private interface SocketWrite {
        void run() throws IOException;
    }

    private void watched(SocketWrite w) throws IOException {
        writingSince = System.nanoTime() | 1;
        LIVE.add(this);
        try {
            w.run();
        } finally {
            writingSince = 0;
            LIVE.remove(this);
        }
    }

    private final Socket socket;
    private final Transport transport;
    private final boolean requestor;
    private final AssociationOptions options;
    private final TimedInput timing;
    private final PduReader reader;
    private final PduWriter writer;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object lock = new Object();
    private State state;
    private AAssociateRq rq;
    private AAssociateAc ac;
    private int maxPdvData;
    private ScheduledFuture<?> artim;
    private boolean artimExpired;
    private final java.util.ArrayDeque<Transition> history = new java.util.ArrayDeque<>();
    private volatile IOException failure;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Map<Integer, PendingRequest> pending = new ConcurrentHashMap<>();
    private final AtomicInteger messageIds = new AtomicInteger();
    private volatile RequestHandler handler;
    private PDataTf currentPData;
    private int currentPdv;
    /** Reader thread: the next PDV begins a message (for the idle timeout), rather than continuing one. */
    private boolean betweenMessages = true;
    /** Requests received and not yet given their final response. */
    private final AtomicInteger openRequests = new AtomicInteger();

    private Association(Transport transport, boolean requestor, AssociationOptions options) throws IOException {
        this.transport = transport;
        this.socket = transport.socket();
        this.requestor = requestor;
        this.options = options;
        socket.setTcpNoDelay(true);
        this.timing = new TimedInput(socket, socket.getInputStream(), options, (int) options.idleTimeout().toMillis(), this::idleTimerPaused);
        this.reader = new PduReader(new BufferedInputStream(timing, 65536), options.maxPduReceive()).reusePDataBuffer();
        this.writer = new PduWriter(new BufferedOutputStream(socket.getOutputStream(), 65536));
    }

    // ---- establishment --------------------------------------------------------------------

    /**
     * Opens an association as requestor (AE-1, AE-2, then AE-3 or AE-4) and starts the reader
     * thread. {@code handler} receives requests the peer sends on it (C-STORE sub-operations of
     * a C-GET); may be null.
     */
    public static Association connect(String host, int port, AAssociateRq request, AssociationOptions options,
                                      RequestHandler handler) throws IOException {
        Socket tcp = new Socket();
        try {
            tcp.connect(new InetSocketAddress(host, port), (int) options.connectTimeout().toMillis());
        } catch (IOException e) {
            tcp.close();
            throw new AssociationException("cannot connect to " + host + ":" + port + ": " + FailureText.of(e), e);
        }
        Transport transport = Transport.tcp(tcp);
        if (options.tls() != null) {
            try {
                transport = Transport.tls(tcp, t -> options.tls().requestor(t, host, port, options.artim()), options.artim());
            } catch (IOException e) {
                throw new AssociationException("TLS handshake with " + host + ":" + port + " failed: " + FailureText.of(e), e);
            }
        }
        Socket s = transport.socket();
        // The streams exist only once connected, so the machine is stepped through AE-1 after the fact.
        Association as = on(transport, true, options);
        as.state = State.STA1;
        as.step(FsmEvent.EVT1);
        as.step(FsmEvent.EVT2);
        as.rq = request;
        as.write(request);
        // No ARTIM in Sta5 by the standard; a silent acceptor must still not hang us.
        s.setSoTimeout((int) options.artim().toMillis());
        Pdu answer = as.nextPdu();
        if (!(answer instanceof AAssociateAc acPdu)) {
            throw as.failure != null ? as.failure : new AssociationException("association ended before it was accepted");
        }
        as.ac = acPdu;
        as.maxPdvData = pdvLimit(acPdu.userInformation().maxLength(), options.maxPduSend());
        s.setSoTimeout((int) options.idleTimeout().toMillis());
        as.timing.activity();
        as.handler = handler;
        Thread t = new Thread(as::receiveLoop, "dicom-scu-" + request.calledAeTitle());
        t.setDaemon(true);
        t.start();
        return as;
    }

    /** Decides on an A-ASSOCIATE-RQ: returns the AC to send, or throws {@link AssociationRejectedException} with the RJ to send. */
    @FunctionalInterface
    public interface Negotiator {
        AAssociateAc negotiate(AAssociateRq rq, Socket socket) throws AssociationRejectedException;
    }

    /**
     * Runs the acceptor side on an accepted socket (AE-5 … AE-7/AE-8) and then serves requests on
     * this thread until the association ends. Returns normally after a release; throws if it
     * ended abnormally or was rejected.
     */
    public static void accept(Socket s, AssociationOptions options, Negotiator negotiator, RequestHandler handler) throws IOException {
        accept(Transport.tcp(s), options, negotiator, handler);
    }

    /** On a connection whose TLS handshake (if any) the caller has done: {@link DicomServer}. */
    static void accept(Transport t, AssociationOptions options, Negotiator negotiator, RequestHandler handler) throws IOException {
        Association as = on(t, false, options);
        try {
            as.acceptOn(negotiator, handler);
        } finally {
            as.closeSocket();
        }
    }

    private void acceptOn(Negotiator negotiator, RequestHandler handler) throws IOException {
        Socket s = socket;
        state = State.STA1;
        step(FsmEvent.EVT5);
        s.setSoTimeout((int) options.artim().toMillis());
        Pdu first = nextPdu();
        if (!(first instanceof AAssociateRq request)) {
            if (failure != null) throw failure;
            return;
        }
        rq = request;
        AAssociateAc answer;
        try {
            if (request.presentationContexts().isEmpty()) {
                // PS3.8 §9.3.2: an A-ASSOCIATE-RQ carries one or more presentation context items.
                AssociationRejectedException rj = new AssociationRejectedException(new AAssociateRj(AAssociateRj.RESULT_PERMANENT,
                        AAssociateRj.SOURCE_SERVICE_USER, AAssociateRj.NO_REASON), "A-ASSOCIATE-RQ " + request.callingAeTitle() + "->"
                        + request.calledAeTitle() + " from " + s.getRemoteSocketAddress()
                        + " proposes no presentation context (PS3.8 9.3.2 requires at least one)");
                LOG.log(System.Logger.Level.WARNING, "refused: " + rj.getMessage());
                throw rj;
            }
            answer = negotiator.negotiate(request, s);
        } catch (AssociationRejectedException rj) {
            step(FsmEvent.EVT8); // AE-8: Sta13, ARTIM started
            write(rj.reject());
            drainUntilClosed();
            throw rj;
        }
        step(FsmEvent.EVT7);
        ac = answer;
        maxPdvData = pdvLimit(request.userInformation().maxLength(), options.maxPduSend());
        reader.maxPDataLength(answer.userInformation().maxLength());
        write(answer);
        s.setSoTimeout((int) options.idleTimeout().toMillis());
        timing.activity();
        this.handler = handler;
        receiveLoop();
        if (failure != null) throw failure;
    }

    /** The association on {@code t}; the connection is ended if it cannot be set up. */
    private static Association on(Transport t, boolean requestor, AssociationOptions options) throws IOException {
        try {
            return new Association(t, requestor, options);
        } catch (IOException | RuntimeException e) {
            t.abort();
            throw e;
        }
    }

    private static int pdvLimit(long peerMax, long ourCap) {
        long max = peerMax == 0 ? 1L << 20 : peerMax;
        if (ourCap > 0) max = Math.min(max, ourCap);
        return (int) Math.max(max - 6, 64);
    }

    // ---- the state machine ----------------------------------------------------------------

    /** One step of the machine, kept for diagnostics and for tests that pin the table. */
    record Transition(State from, FsmEvent event, Action action, State to) {
        @Override public String toString() {
            return from + "+" + event + "->" + action + "->" + to;
        }
    }

    private static final int HISTORY = 64;

    /** Looks the event up in PS3.8 Table 9-10 and moves to the next state; null when the table has no entry. */
    private Action step(FsmEvent e) {
        return step(e, true);
    }

    /**
     * As {@link #step(FsmEvent)}; {@code acceptable} decides the branch of AE-6 (an A-ASSOCIATE-RQ
     * the provider accepts goes to Sta3, one it rejects to Sta13).
     */
    private Action step(FsmEvent e, boolean acceptable) {
        synchronized (lock) {
            Action a = StateTable.action(state, e);
            if (a == null) return null;
            State next = a.next();
            if (a == Action.AE_6) next = acceptable ? State.STA3 : State.STA13;
            if (a == Action.AR_8) next = requestor ? State.STA9 : State.STA10;
            State from = state, to = next;
            LOG.log(System.Logger.Level.TRACE, () -> from + " + " + e + " -> " + a + " -> " + to);
            state = next;
            if (history.size() == HISTORY) history.removeFirst();
            history.addLast(new Transition(from, e, a, next));
            // ARTIM (PS3.8 §9.1.5): started by AE-5 and on every way into Sta13 (AE-6 reject, AE-8,
            // AR-4, AA-1, AA-8); stopped by AE-6 and on every way back to Sta1.
            if (next == State.STA2 || (next == State.STA13 && from != State.STA13)) startArtim();
            else if (next == State.STA1 || next == State.STA3) stopArtim();
            return a;
        }
    }

    /** Steps for a local primitive; an event the table does not allow aborts the association. */
    private Action stepLocal(FsmEvent e) throws AssociationException {
        Action a = step(e);
        if (a == null) {
            State s = state();
            abort();
            throw new AssociationException(e.description() + " is not allowed in " + s + " (" + s.description() + ")");
        }
        return a;
    }

    public State state() {
        synchronized (lock) {
            return state;
        }
    }

    /** The last transitions of the machine, oldest first. */
    List<Transition> transitions() {
        synchronized (lock) {
            return List.copyOf(history);
        }
    }

    private void startArtim() {
        stopArtim();
        artimExpired = false;
        artim = TIMERS.schedule(this::artimExpired, options.artim().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void stopArtim() {
        if (artim != null) {
            artim.cancel(false);
            artim = null;
        }
    }

    /**
     * Evt18. The reader is blocked in a socket read, which no interrupt ends: closing the socket
     * wakes it, and it takes the failed read for the expiry (AA-2 in Sta2 and Sta13) rather than
     * for a transport close. The socket read timeout alone would not do: a peer that trickles a
     * byte now and then would keep resetting it.
     */
    private void artimExpired() {
        synchronized (lock) {
            if (state != State.STA2 && state != State.STA13) return;
            artimExpired = true;
        }
        transport.abort();
    }

    private boolean artimHasExpired() {
        synchronized (lock) {
            return artimExpired;
        }
    }

    /**
     * Reads PDUs and applies the table until there is something for the user: an A-ASSOCIATE-RQ
     * (acceptor), an A-ASSOCIATE-AC (requestor), or a P-DATA-TF. Null once the association has
     * ended normally; an {@link AssociationException} when it ended abnormally.
     */
    private Pdu nextPdu() throws IOException {
        while (true) {
            if (state() == State.STA1) {
                if (failure != null) throw failure;
                return null;
            }
            Pdu pdu = null;
            FsmEvent event;
            int abortReason = AAbort.UNEXPECTED_PDU;
            String problem = null;
            try {
                prepareRead();
                pdu = reader.read();
                event = pdu == null ? (artimHasExpired() ? FsmEvent.EVT18 : FsmEvent.EVT17) : eventOf(pdu);
            } catch (SocketTimeoutException e) {
                State s = state();
                if (s == State.STA2 || s == State.STA13) {
                    event = FsmEvent.EVT18;
                } else {
                    // No timer of the table runs in this state: the limit is ours (idle or read timeout in
                    // Sta6, no answer in Sta5 or Sta7), so the local user aborts (Evt15, AA-1).
                    fail(new AssociationException(s != State.STA6
                            ? "no PDU from the peer within " + socketTimeoutMillis() + " ms in " + s + " (" + s.description() + "): association aborted"
                            : timing.phase() == TimedInput.Phase.IDLE
                            ? "idle for " + duration(options.idleTimeout()) + " (no request under way; idle timeout): association aborted"
                            : "the peer stopped sending in the middle of a PDU or message (read timeout of " + duration(options.readTimeout())
                              + "): association aborted"));
                    abort();
                    continue;
                }
            } catch (PduFormatException e) {
                event = FsmEvent.EVT19;
                abortReason = e.abortReason();
                problem = "invalid PDU from peer: " + FailureText.of(e);
            } catch (SSLException e) {
                // After the handshake too: in TLS 1.3 the acceptor's verdict on our certificate comes as an alert here.
                event = artimHasExpired() ? FsmEvent.EVT18 : FsmEvent.EVT17;
                if (event == FsmEvent.EVT17) problem = "TLS with " + socket.getRemoteSocketAddress() + " failed: " + FailureText.of(e);
            } catch (IOException e) {
                event = artimHasExpired() ? FsmEvent.EVT18 : FsmEvent.EVT17;
                if (event == FsmEvent.EVT17) problem = "transport failed: " + FailureText.of(e);
            }
            State before = state();
            if (event == FsmEvent.EVT18) problem = "ARTIM timer expired in " + before + " (" + before.description() + ")";
            boolean acceptable = !(pdu instanceof AAssociateRq r) || (r.protocolVersion() & 1) != 0;
            Action a = step(event, acceptable);
            if (a == null) {
                // Every received event has an entry in every state we read in; this is a safety net.
                closeSocket();
                synchronized (lock) {
                    state = State.STA1;
                    stopArtim();
                }
                fail(new AssociationException(problem != null ? problem : "unexpected " + event.description() + " in " + before));
                continue;
            }
            String why = problem != null ? problem : "unexpected " + event.description() + " in " + before;
            switch (a) {
                case AE_3 -> { return pdu; }
                case AE_4 -> {
                    closeSocket();
                    fail(new AssociationRejectedException((AAssociateRj) pdu));
                }
                case AE_6 -> {
                    if (acceptable) return pdu;
                    // AE-6 "otherwise" branch: the provider rejects (protocol version not supported).
                    fail(new AssociationException("rejected A-ASSOCIATE-RQ with protocol version " + ((AAssociateRq) pdu).protocolVersion()));
                    write(new AAssociateRj(AAssociateRj.RESULT_PERMANENT, AAssociateRj.SOURCE_PROVIDER_ACSE,
                            AAssociateRj.PROTOCOL_VERSION_NOT_SUPPORTED));
                }
                case DT_2, AR_6 -> { return pdu; }
                case AR_2 -> {
                    // The peer releases: confirm at once (Evt14, AR-4); work in progress is ended.
                    step(FsmEvent.EVT14);
                    write(new AReleaseRp());
                }
                case AR_3 -> closeSocket();
                case AR_8 -> {
                    if (requestor) {
                        step(FsmEvent.EVT14); // Sta9, AR-9: send A-RELEASE-RP, await the peer's (Sta11)
                        write(new AReleaseRp());
                    } // acceptor: Sta10, await the peer's A-RELEASE-RP
                }
                case AR_10 -> {
                    step(FsmEvent.EVT14); // Sta12, AR-4
                    write(new AReleaseRp());
                }
                case AA_1 -> {
                    // Sta2: a PDU other than A-ASSOCIATE-RQ; Table 9-9 gives AA-1 the service-user source.
                    fail(new AssociationException(why));
                    writeAbort(AAbort.byUser());
                }
                case AA_7 -> {
                    // Sta13: the association no longer exists; the provider tells the peer so.
                    LOG.log(System.Logger.Level.DEBUG, this + ": A-ABORT for " + why + " after the association ended");
                    writeAbort(AAbort.byProvider(abortReason));
                }
                case AA_8 -> {
                    fail(new AssociationException(why + ": association aborted"));
                    writeAbort(AAbort.byProvider(abortReason));
                }
                case AA_2 -> {
                    // Sta2: the requestor gave up, or never spoke. Sta13: the association had already ended.
                    if (before == State.STA2) fail(new AssociationException(event == FsmEvent.EVT16 ? "aborted by peer: " + pdu : why));
                    closeSocket();
                }
                case AA_5, AR_5 -> closeSocket();
                case AA_3 -> {
                    fail(new AssociationException("aborted by peer: " + pdu));
                    closeSocket();
                }
                case AA_4 -> {
                    fail(new AssociationException(problem != null ? problem : "connection closed by peer in " + before));
                    closeSocket();
                }
                case AA_6 -> { /* Sta13: ignore the PDU */ }
                default -> throw new IllegalStateException("action " + a + " cannot follow a received event");
            }
        }
    }

    /**
     * Sets the limit for the read about to happen: in Sta6 at a message boundary the idle timeout,
     * within a message the read timeout; elsewhere none of ours.
     */
    private void prepareRead() throws IOException {
        if (state() != State.STA6) timing.untimed();
        else if (betweenMessages) timing.awaitMessage();
        else timing.awaitPdu();
    }

    /** The idle timeout does not run while a request is being answered, or outside Sta6. */
    private boolean idleTimerPaused() {
        return openRequests.get() > 0 || !pending.isEmpty() || state() != State.STA6;
    }

    private static String duration(java.time.Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private int socketTimeoutMillis() {
        try {
            return socket.getSoTimeout();
        } catch (IOException e) {
            return -1;
        }
    }

    private static FsmEvent eventOf(Pdu pdu) {
        if (pdu instanceof AAssociateAc) return FsmEvent.EVT3;
        if (pdu instanceof AAssociateRj) return FsmEvent.EVT4;
        if (pdu instanceof AAssociateRq) return FsmEvent.EVT6;
        if (pdu instanceof PDataTf) return FsmEvent.EVT10;
        if (pdu instanceof AReleaseRq) return FsmEvent.EVT12;
        if (pdu instanceof AReleaseRp) return FsmEvent.EVT13;
        return FsmEvent.EVT16;
    }

    private void fail(IOException e) {
        if (failure == null) failure = e;
    }

    private void write(Pdu pdu) throws IOException {
        writeLock.lock();
        try {
 watched(() -> writer.write(pdu));
        } catch (IOException e) {
            closeSocket();
            // Under TLS 1.3 an acceptor that refuses our certificate says so after our handshake has ended: often only a closed connection here.
            throw new AssociationException("cannot send " + pdu.getClass().getSimpleName() + (transport.isTls() && pdu instanceof AAssociateRq
                    ? " over TLS to " + socket.getRemoteSocketAddress() + " (refused our certificate?)" : "") + ": " + FailureText.of(e), e);
        } finally {
            writeLock.unlock();
        }
    }

    /** A-ABORT with a bounded write: if the writer is stuck behind a full socket, close instead. */
    private void writeAbort(AAbort abort) {
        try {
            if (writeLock.tryLock(2, TimeUnit.SECONDS)) {
                ScheduledFuture<?> guard = TIMERS.schedule(transport::abort, 2, TimeUnit.SECONDS);
                try {
                    writer.write(abort);
                } finally {
                    guard.cancel(false);
                    writeLock.unlock();
                }
            } else {
                closeSocket();
            }
        } catch (IOException | InterruptedException e) {
            closeSocket();
        }
    }

    /**
     * Ends the connection: under TLS in order (close_notify) when no write is under way, else by
     * closing the TCP socket, which also ends a write blocked behind a peer that does not read.
     */
    private void closeSocket() {
        if (transport.isTls() && writeLock.tryLock()) {
            try {
                transport.close();
            } finally {
                writeLock.unlock();
            }
        } else {
            transport.abort();
        }
    }

    private void drainUntilClosed() {
        awaitTransportClose();
        finish();
    }

    /**
     * Sta13: the association is over; the peer closes (AR-5) or ARTIM expires (AA-2), and what it
     * still sends meanwhile is ignored (AA-6) or answered with A-ABORT (AA-7). Closing at once
     * instead would leave unread bytes in our socket, and the reset that sends can destroy the
     * A-ABORT or A-RELEASE-RP we have just sent before the peer reads it.
     */
    private void awaitTransportClose() {
        while (state() == State.STA13) {
            try {
                nextPdu();
            } catch (IOException ignored) {
                // the end we were waiting for
            }
        }
    }

    // ---- local primitives -----------------------------------------------------------------

    /**
     * A-RELEASE (AR-1), then waits for the reader thread to see A-RELEASE-RP; aborts if it does not
     * come in time. Returns normally only if the association ended in a release: an association
     * that the peer aborted instead (or that had already failed) throws why.
     */
    public void release() throws IOException {
        if (state() != State.STA6) {
            if (failure != null) throw failure;
            return;
        }
        stepLocal(FsmEvent.EVT11);
        write(new AReleaseRq());
        try {
            if (!ended.await(options.releaseTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                fail(new AssociationException("no A-RELEASE-RP within " + options.releaseTimeout().toMillis() + " ms: association aborted"));
                abort();
                throw failure;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            throw new AssociationException("interrupted while releasing: association aborted");
        }
        if (failure != null) throw failure;
    }

    /**
     * A-ABORT (AA-1, or AA-2 before the transport is open). Never throws. In Sta13 the association
     * has already ended and the table has nothing for it: ARTIM bounds the wait for the close.
     */
    public void abort() {
        Action a = step(FsmEvent.EVT15);
        if (a == Action.AA_1) {
            fail(new AssociationException("aborted locally"));
            writeAbort(AAbort.byUser());
        } else if (a != null || state() != State.STA13) {
            closeSocket();
        }
    }

    @Override public void close() {
        State s = state();
        if (s == State.STA6) {
            try {
                release();
            } catch (IOException e) {
                abort();
            }
        } else if (s != State.STA1 && s != State.STA13) {
            abort();
        }
    }

    /** Waits until the association has ended (released, aborted, or failed). */
    public boolean awaitEnd(long timeout, TimeUnit unit) throws InterruptedException {
        return ended.await(timeout, unit);
    }

    public boolean isEnded() { return ended.getCount() == 0; }

    /** Why the association ended abnormally, or null. */
    public IOException failure() { return failure; }

    // ---- P-DATA ---------------------------------------------------------------------------

    private void sendPData(PDataTf p, boolean flush) throws IOException {
        stepLocal(FsmEvent.EVT9);
        try {
            watched(() -> writer.write(p, flush));
        } catch (IOException e) {
            closeSocket();
            throw new AssociationException("connection lost while sending: " + FailureText.of(e), e);
        }
    }

    /** As {@link #sendPData}, for one PDV whose data is in {@code pdu} after room for the headers ({@link PduWriter#writeSinglePdv}). */
    private void sendSinglePdv(byte[] pdu, int length, int pcid, boolean last) throws IOException {
        stepLocal(FsmEvent.EVT9);
        try {
            watched(() -> writer.writeSinglePdv(pdu, length, pcid, false, last, last));
        } catch (IOException e) {
            closeSocket();
            throw new AssociationException("connection lost while sending: " + FailureText.of(e), e);
        }
    }

    /**
     * Sends one DIMSE message: the command in its own PDVs, then the data set (if any) from
     * {@code data}, fragmented to the peer's maximum PDU. If anything fails after the first PDV
     * went out, the association is aborted: a half-sent message leaves it unusable.
     */
    public void send(int pcid, Attributes command, DataWriter data) throws IOException {
        command.setInt(0x00000800, VR.US, data == null ? 0x0101 : 0x0000);
        boolean finalResponse = (command.getInt(0x00000100, 0) & 0x8000) != 0 && !isPendingStatus(command.getInt(0x00000900, 0));
        byte[] cmd = CommandCodec.encode(command);
        writeLock.lock();
        try {
            for (int off = 0; off < cmd.length; off += maxPdvData) {
                int len = Math.min(maxPdvData, cmd.length - off);
                boolean lastFragment = off + len == cmd.length;
                // A command with a data set after it waits in the buffer for the first data PDV: one segment, not two.
                sendPData(new PDataTf(List.of(new Pdv(pcid, true, lastFragment, cmd, off, len))), lastFragment && data == null);
            }
            if (data != null) {
                PDVOutputStream out = new PDVOutputStream(pcid);
                data.writeTo(out);
                out.finish();
            }
            if (finalResponse && openRequests.getAndUpdate(n -> Math.max(0, n - 1)) == 1) timing.activity();
        } catch (IOException | RuntimeException e) {
            abort();
            throw e instanceof AssociationException ae ? ae : new AssociationException("message half-sent, association aborted: " + FailureText.of(e), e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Pending (PS3.7 Annex C.4): more responses to the same request follow. */
    private static boolean isPendingStatus(int status) {
        return status == 0xFF00 || status == 0xFF01;
    }

    /**
     * The buffer of outgoing data PDVs, made once per association at the peer's maximum and reused
     * by every message under the write lock: a PDU is filled in place and written in one piece.
     */
    private byte[] pdvBuffer;

    /**
     * Fragments a data set into PDVs no larger than the peer accepts (PS3.8 §D.1: the maximum
     * length of a P-DATA-TF's variable field); the last one is flagged on {@link #finish()}.
     * Only under the write lock.
     */
    final class PDVOutputStream extends OutputStream {
        private static final int H = PduWriter.SINGLE_PDV_HEADER;
        private final int pcid;
        private final byte[] buf;
        private final int capacity;
        private int n;

        PDVOutputStream(int pcid) {
            this.pcid = pcid;
            if (pdvBuffer == null) pdvBuffer = new byte[H + maxPdvData];
            this.buf = pdvBuffer;
            this.capacity = maxPdvData;
        }

        @Override public void write(int b) throws IOException {
            if (n == capacity) flushPdv(false);
            buf[H + n++] = (byte) b;
        }

        @Override public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (n == capacity) flushPdv(false);
                int k = Math.min(len, capacity - n);
                System.arraycopy(b, off, buf, H + n, k);
                n += k;
                off += k;
                len -= k;
            }
        }

        /** Reads {@code in} to its end straight into the PDVs, without a buffer in between. */
        long readFrom(InputStream in) throws IOException {
            long total = 0;
            while (true) {
                if (n == capacity) flushPdv(false);
                int k = in.read(buf, H + n, capacity - n);
                if (k < 0) return total;
                n += k;
                total += k;
            }
        }

        private void flushPdv(boolean last) throws IOException {
            sendSinglePdv(buf, n, pcid, last);
            n = 0;
        }

        void finish() throws IOException {
            flushPdv(true);
        }
    }

    /** The next PDV, reading PDUs as needed; null when the association has ended normally. */
    private Pdv nextPdv() throws IOException {
        while (currentPData == null || currentPdv >= currentPData.pdvs().size()) {
            Pdu p = nextPdu();
            if (p == null) return null;
            if (!(p instanceof PDataTf pd)) throw new AssociationException("unexpected " + p.getClass().getSimpleName());
            currentPData = pd;
            currentPdv = 0;
        }
        return currentPData.pdvs().get(currentPdv++);
    }

    /** The data set of one message as a stream over its PDVs (PS3.8 Annex E.2). */
    private final class PDVInputStream extends InputStream {
        private final int pcid;
        private Pdv pdv;
        private int pos;
        private boolean eof;

        PDVInputStream(int pcid) {
            this.pcid = pcid;
        }

        private boolean fill() throws IOException {
            while (pdv == null || pos == pdv.length()) {
                if (eof || (pdv != null && pdv.last())) {
                    eof = true;
                    return false;
                }
                betweenMessages = false;
                Pdv next = nextPdv();
                if (next == null) throw new AssociationException("association ended in the middle of a data set");
                if (next.command() || next.presentationContextId() != pcid) {
                    protocolError("expected a data set PDV on context " + pcid + ", got a "
                            + (next.command() ? "command" : "data") + " PDV on context " + next.presentationContextId());
                }
                pdv = next;
                pos = 0;
            }
            return true;
        }

        @Override public int read() throws IOException {
            if (!fill()) return -1;
            return pdv.data()[pdv.offset() + pos++] & 0xFF;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (!fill()) return -1;
            int k = Math.min(len, pdv.length() - pos);
            System.arraycopy(pdv.data(), pdv.offset() + pos, b, off, k);
            pos += k;
            return k;
        }

        /** Writes each PDV's data straight from the PDU it came in: no buffer in between. */
        @Override public long transferTo(OutputStream out) throws IOException {
            long total = 0;
            while (fill()) {
                int k = pdv.length() - pos;
                out.write(pdv.data(), pdv.offset() + pos, k);
                pos += k;
                total += k;
            }
            return total;
        }

        void drain() throws IOException {
            while (fill()) pos = pdv.length();
        }
    }

    private void protocolError(String problem) throws AssociationException {
        AssociationException e = new AssociationException(problem + ": association aborted");
        fail(e);
        step(FsmEvent.EVT19);
        writeAbort(AAbort.byProvider(AAbort.UNEXPECTED_PDU_PARAMETER));
        throw e;
    }

    // ---- DIMSE ----------------------------------------------------------------------------

    public int nextMessageId() {
        return messageIds.updateAndGet(i -> i >= 0xFFFF ? 1 : i + 1);
    }

    /** Sends a request and returns the handle on which its responses arrive. */
    public PendingRequest invoke(int pcid, Attributes command, DataWriter data) throws IOException {
        int msgId = command.getInt(0x00000110, -1);
        if (msgId < 0) {
            msgId = nextMessageId();
            command.setInt(0x00000110, VR.US, msgId);
        }
        PendingRequest p = new PendingRequest(this, msgId);
        pending.put(msgId, p);
        if (isEnded()) {
            pending.remove(msgId);
            throw failure != null ? failure : new AssociationException("association has ended");
        }
        try {
            send(pcid, command, data);
        } catch (IOException e) {
            pending.remove(msgId);
            throw e;
        }
        return p;
    }

    void cancel(int pcid, int messageId) throws IOException {
        Attributes c = new Attributes();
        c.setInt(0x00000100, VR.US, 0x0FFF);
        c.setInt(0x00000120, VR.US, messageId);
        send(pcid, c, null);
    }

    /** Reads commands and data sets until the association ends, dispatching requests and delivering responses. */
    private void receiveLoop() {
        try {
            ByteArrayOutputStream cmd = new ByteArrayOutputStream();
            while (true) {
                betweenMessages = cmd.size() == 0;
                Pdv pdv = nextPdv();
                if (pdv == null) break;
                if (!pdv.command()) protocolError("data set PDV without a command before it");
                if (cmd.size() + pdv.length() > MAX_COMMAND) protocolError("command set larger than " + MAX_COMMAND + " bytes");
                cmd.write(pdv.data(), pdv.offset(), pdv.length());
                if (!pdv.last()) continue;
                int pcid = pdv.presentationContextId();
                Attributes command;
                try {
                    command = CommandCodec.decode(cmd.toByteArray(), 0, cmd.size());
                } catch (IOException e) {
                    protocolError("undecodable command set: " + FailureText.of(e));
                    return;
                }
                cmd.reset();
                dispatch(pcid, command);
            }
        } catch (IOException e) {
            fail(e instanceof AssociationException ? e : new AssociationException(FailureText.of(e), e));
            abort();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "association handler failed", e);
            fail(new AssociationException("internal error: " + e));
            abort();
        } finally {
            awaitTransportClose();
            finish();
        }
    }

    private void dispatch(int pcid, Attributes command) throws IOException {
        PresentationContext pc = ac.presentationContext(pcid);
        if (pc == null || !pc.accepted()) protocolError("message on presentation context " + pcid + ", which was not accepted");
        int field = command.getInt(0x00000100, -1);
        boolean hasData = command.getInt(0x00000800, 0x0101) != 0x0101;
        if ((field & 0x8000) != 0) {
            int id = command.getInt(0x00000120, -1);
            Attributes data = null;
            if (hasData) {
                PDVInputStream in = new PDVInputStream(pcid);
                data = new DataSetReader(new DicomInputStream(in, transferSyntax(pcid))).maxMemory(MAX_RESPONSE_DATA).readAll();
                in.drain();
            }
            DimseResponse rsp = new DimseResponse(command, data);
            PendingRequest p = rsp.isPending() ? pending.get(id) : pending.remove(id);
            if (p == null) {
                LOG.log(System.Logger.Level.WARNING, "response to unknown message ID " + id + " ignored");
            } else {
                p.deliver(rsp);
            }
            return;
        }
        RequestHandler h = handler;
        if (field == 0x0FFF) {
            if (h != null) h.onCancel(this, command.getInt(0x00000120, -1));
            return;
        }
        PDVInputStream in = hasData ? new PDVInputStream(pcid) : null;
        if (h == null) {
            if (in != null) in.drain();
            LOG.log(System.Logger.Level.WARNING, "request 0x" + Integer.toHexString(field) + " on an association without a handler: ignored");
            return;
        }
        openRequests.incrementAndGet();
        h.onRequest(this, pcid, command, in);
        if (in != null) in.drain();
    }

    private void finish() {
        IOException why = failure != null ? failure : new AssociationException("association released before the final response");
        for (PendingRequest p : pending.values()) p.fail(why);
        pending.clear();
        closeSocket();
        synchronized (lock) {
            state = State.STA1;
            stopArtim();
        }
        ended.countDown();
        RequestHandler h = handler;
        if (h != null) h.onClose(this);
    }

    // ---- what was negotiated --------------------------------------------------------------

    public AssociationOptions options() { return options; }

    public boolean isRequestor() { return requestor; }

    public AAssociateRq request() { return rq; }

    public AAssociateAc acceptance() { return ac; }

    public String callingAeTitle() { return rq.callingAeTitle(); }

    public String calledAeTitle() { return rq.calledAeTitle(); }

    public Socket socket() { return socket; }

    /** The accepted transfer syntax of a presentation context. */
    public TransferSyntax transferSyntax(int pcid) {
        PresentationContext pc = ac.presentationContext(pcid);
        if (pc == null || !pc.accepted()) throw new IllegalArgumentException("presentation context " + pcid + " is not accepted");
        return TransferSyntax.of(pc.transferSyntax());
    }

    /** The abstract syntax proposed for a presentation context. */
    public String abstractSyntax(int pcid) {
        PresentationContext pc = rq.presentationContext(pcid);
        return pc == null ? null : pc.abstractSyntax();
    }

    /** An accepted context for the abstract syntax with this transfer syntax (or any, when null); -1 if none. */
    public int findContext(String abstractSyntax, String transferSyntax) {
        for (PresentationContext p : rq.presentationContexts()) {
            if (!p.abstractSyntax().equals(abstractSyntax)) continue;
            PresentationContext a = ac.presentationContext(p.id());
            if (a != null && a.accepted() && (transferSyntax == null || transferSyntax.equals(a.transferSyntax()))) return p.id();
        }
        return -1;
    }

    @Override public String toString() {
        return (requestor ? "SCU " : "SCP ") + (rq == null ? "?" : rq.callingAeTitle() + "->" + rq.calledAeTitle()) + " " + state();
    }

}
