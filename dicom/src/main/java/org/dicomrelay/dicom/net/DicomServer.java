package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.net.pdu.AAssociateAc;
import org.dicomrelay.dicom.net.pdu.AAssociateRj;
import org.dicomrelay.dicom.net.pdu.AAssociateRq;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Accepts associations for an {@link ApplicationEntity} on a bind address and port, each on a
 * thread of a bounded pool. When every thread is busy the requestor is told so with
 * A-ASSOCIATE-RJ (transient, local limit exceeded) instead of being left waiting; that refusal
 * runs on a second, small pool, and when that too is full the connection is simply closed.
 * With a {@link CallerLimit}, one device holds at most that many of the threads; an established
 * association ends on the idle and read timeouts of its {@link AssociationOptions}.
 * With {@link AssociationOptions#tls()} every connection is TLS (PS3.15 Annex B): the handshake
 * runs on the association's thread, bounded by ARTIM, and one that fails ends the connection
 * with a single log line naming the peer and the cause.
 */
public final class DicomServer implements Closeable {
    private static final System.Logger LOG = System.getLogger(DicomServer.class.getName());
    /** Turning requestors away when full is logged at most this often, with a count. */
    private static final long BUSY_LOG_PERIOD_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final String name;
    private final Association.Negotiator negotiator;
    private final AssociationOptions options;
    private final RequestHandler handler;
    private final ServerSocket serverSocket;
    private final ExecutorService pool;
    private final ExecutorService refusals;
    private final AtomicInteger active = new AtomicInteger();
    /** Requestors turned away because every thread was busy, since {@link #busyLoggedAt}. */
    private final AtomicInteger busyRefusals = new AtomicInteger();
    private final AtomicLong busyLoggedAt = new AtomicLong(System.nanoTime() - BUSY_LOG_PERIOD_NANOS);
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final CallerLimit callerLimit;
    /** Associations held (negotiated or being negotiated) per caller, when there is a limit. */
    private final Map<Caller, Integer> perCaller = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private DicomServer(String name, Association.Negotiator negotiator, AssociationOptions options, RequestHandler handler,
                        ServerSocket ss, int maxAssociations, CallerLimit callerLimit) {
        this.name = name;
        this.negotiator = negotiator;
        this.options = options;
        this.handler = handler;
        this.serverSocket = ss;
        this.callerLimit = callerLimit;
        this.pool = new ThreadPoolExecutor(0, maxAssociations, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "dicom-scp-" + name);
            t.setDaemon(true);
            return t;
        });
        this.refusals = new ThreadPoolExecutor(0, 2, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "dicom-scp-refuse-" + name);
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "dicom-accept-" + name);
        this.acceptor.setDaemon(true);
    }

    /** Binds and starts accepting. Port 0 picks a free port (see {@link #port()}). */
    public static DicomServer start(ApplicationEntity ae, String bindAddress, int port, int maxAssociations, RequestHandler handler)
            throws IOException {
        return start(ae.aeTitle(), ae, ae.options(), bindAddress, port, maxAssociations, handler);
    }

    /** With a negotiator of one's own (a router decides per called AE title). */
    public static DicomServer start(String name, Association.Negotiator negotiator, AssociationOptions options, String bindAddress,
                                    int port, int maxAssociations, RequestHandler handler) throws IOException {
        return start(name, negotiator, options, bindAddress, port, maxAssociations, null, handler);
    }

    /** With at most {@code callerLimit} associations per device (null: no limit below {@code maxAssociations}). */
    public static DicomServer start(String name, Association.Negotiator negotiator, AssociationOptions options, String bindAddress,
                                    int port, int maxAssociations, CallerLimit callerLimit, RequestHandler handler) throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress(InetAddress.getByName(bindAddress), port), 64);
        DicomServer server = new DicomServer(name, negotiator, options, handler, ss, maxAssociations, callerLimit);
        server.acceptor.start();
        return server;
    }

    public int port() { return serverSocket.getLocalPort(); }

    /** Associations being served right now. */
    public int activeAssociations() { return active.get(); }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) LOG.log(System.Logger.Level.ERROR, "accept failed on " + name, e);
                return;
            }
            try {
                pool.execute(() -> serve(s));
            } catch (RejectedExecutionException e) {
                logBusy();
                try {
                    refusals.execute(() -> refuseBusy(s));
                } catch (RejectedExecutionException alsoFull) {
                    closeQuietly(s);
                }
            }
        }
    }

    private void serve(Socket s) {
        active.incrementAndGet();
        sockets.add(s);
        Admission admission = new Admission(s);
        try {
            Transport t = secure(s);
            if (t == null) return;
            Association.accept(t, options, admission, handler);
        } catch (AssociationRejectedException e) {
            // The negotiator (or the caller limit's owner) has said why, summarised where it recurs.
            LOG.log(System.Logger.Level.DEBUG, () -> name + ": association " + admission.describe() + " rejected: " + FailureText.of(e));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.INFO, name + ": association " + admission.describe() + " ended: " + FailureText.of(e));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, name + ": association " + admission.describe() + " failed: " + FailureText.of(e), e);
        } finally {
            admission.release();
            sockets.remove(s);
            active.decrementAndGet();
        }
    }

    /**
     * The negotiation of one connection: counts the caller against its limit before the server's
     * negotiator decides, and gives the place back when the association ends or is rejected.
     */
    private final class Admission implements Association.Negotiator {
        private final Socket socket;
        private AAssociateRq rq;
        private Caller counted;

        Admission(Socket socket) {
            this.socket = socket;
        }

        @Override public AAssociateAc negotiate(AAssociateRq request, Socket s) throws AssociationRejectedException {
            rq = request;
            if (callerLimit != null) {
                Caller caller = new Caller(request.callingAeTitle(), s.getInetAddress());
                boolean[] admitted = {false};
                perCaller.compute(caller, (c, n) -> {
                    int held = n == null ? 0 : n;
                    if (held >= callerLimit.maxAssociations()) return n;
                    admitted[0] = true;
                    return held + 1;
                });
                if (!admitted[0]) {
                    callerLimit.onRefused().accept(caller);
                    throw new AssociationRejectedException(new AAssociateRj(AAssociateRj.RESULT_TRANSIENT,
                            AAssociateRj.SOURCE_PROVIDER_PRESENTATION, AAssociateRj.LOCAL_LIMIT_EXCEEDED),
                            caller + " already holds " + callerLimit.maxAssociations() + " associations");
                }
                counted = caller;
            }
            try {
                return negotiator.negotiate(request, s);
            } catch (AssociationRejectedException | RuntimeException e) {
                release();
                throw e;
            }
        }

        void release() {
            if (counted == null) return;
            perCaller.computeIfPresent(counted, (c, n) -> n <= 1 ? null : n - 1);
            counted = null;
        }

        String describe() {
            return (rq == null ? "" : rq.callingAeTitle() + "->" + rq.calledAeTitle() + " ") + "from " + socket.getRemoteSocketAddress();
        }
    }

    /**
     * Refuses through the state machine: the A-ASSOCIATE-RQ is read before the RJ goes out (AE-6,
     * AE-8), then the requestor is given ARTIM to close. Answering before reading, and closing at
     * once, left the request unread in our socket: the close then sends a reset, which can
     * destroy the RJ before the requestor reads it.
     */
    private void refuseBusy(Socket s) {
        sockets.add(s);
        try {
            Transport t = secure(s);
            if (t == null) return;
            Association.accept(t, options, (rq, socket) -> {
                throw new AssociationRejectedException(new AAssociateRj(AAssociateRj.RESULT_TRANSIENT,
                        AAssociateRj.SOURCE_PROVIDER_PRESENTATION, AAssociateRj.LOCAL_LIMIT_EXCEEDED));
            }, null);
        } catch (IOException expected) {
            // rejected as intended, or the requestor went away first
        } finally {
            sockets.remove(s);
        }
    }

    /**
     * The connection as the association will use it: TCP as it is, or TLS once the handshake has
     * succeeded, within ARTIM. Null when it failed (a plain client on the TLS port, an untrusted or missing
     * certificate, no common protocol or suite): the connection is closed and the failure logged
     * without a stack trace, since a peer can cause it at will.
     */
    private Transport secure(Socket s) {
        if (options.tls() == null) return Transport.tcp(s);
        try {
            return Transport.tls(s, t -> options.tls().acceptor(t, options.artim()), options.artim());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, name + ": TLS handshake with " + s.getRemoteSocketAddress() + " failed: " + FailureText.of(e));
            return null;
        }
    }

    /** Once a minute at most: every thread busy is a condition, not an event per requestor. */
    private void logBusy() {
        int n = busyRefusals.incrementAndGet();
        long now = System.nanoTime(), last = busyLoggedAt.get();
        if (now - last >= BUSY_LOG_PERIOD_NANOS && busyLoggedAt.compareAndSet(last, now)) {
            busyRefusals.addAndGet(-n);
            LOG.log(System.Logger.Level.WARNING, name + ": all " + active.get() + " association threads busy: " + n
                    + " requestor(s) refused (A-ASSOCIATE-RJ transient, local limit exceeded) since the last report");
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to tell a requestor we cannot serve
        }
    }

    @Override public void close() {
        closed = true;
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // already closed
        }
        // Blocked socket reads ignore interrupts: closing the sockets ends the associations.
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        pool.shutdownNow();
        refusals.shutdownNow();
    }
}
