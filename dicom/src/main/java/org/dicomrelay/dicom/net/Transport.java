package org.dicomrelay.dicom.net;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The connection under one association: a TCP socket, or a TLS socket layered on one. PDUs go
 * through {@link #socket}; closing the TCP socket underneath ends everything at once, which also
 * wakes a read or a write blocked in it (a TLS socket's own close would wait for a write in
 * progress, and sends a close_notify that a peer which no longer reads can hold up).
 */
final class Transport {
    /** How long an orderly TLS close (close_notify, RFC 8446 §6.1) may take before the TCP socket is closed under it. */
    private static final long CLOSE_NOTIFY_MILLIS = 2000;
    /**
     * Deadlines of TLS handshakes and orderly closes, for the life of the process like the
     * association timers, but not on their thread: an orderly close may run there, and its guard must still fire.
     */
    private static final ScheduledExecutorService GUARD = daemonScheduler("dicom-tls-guard");

    /** One daemon thread named {@code name} running timers for the life of the process; a cancelled timer goes at once. */
    static ScheduledExecutorService daemonScheduler(String name) {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        s.setRemoveOnCancelPolicy(true);
        return s;
    }

    private final Socket socket;
    private final Socket tcp;

    private Transport(Socket socket, Socket tcp) {
        this.socket = socket;
        this.tcp = tcp;
    }

    static Transport tcp(Socket s) {
        return new Transport(s, s);
    }

    /** A TLS handshake on a TCP socket (requestor or acceptor side). */
    @FunctionalInterface
    interface Handshake {
        Socket run(Socket tcp) throws IOException;
    }

    /**
     * TLS on {@code tcp}, the handshake done within {@code limit} as a whole: the socket timeout
     * bounds each read, but a peer that trickles a byte now and then would pass it every time.
     */
    static Transport tls(Socket tcp, Handshake handshake, Duration limit) throws IOException {
        ScheduledFuture<?> deadline = GUARD.schedule(() -> closeQuietly(tcp), limit.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return new Transport(handshake.run(tcp), tcp);
        } catch (IOException | RuntimeException e) {
            closeQuietly(tcp);
            throw e;
        } finally {
            deadline.cancel(false);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing more to do for a connection we are discarding
        }
    }

    Socket socket() { return socket; }

    boolean isTls() { return socket != tcp; }

    /** Closes the TCP connection at once. */
    void abort() {
        closeQuietly(tcp);
    }

    /** Closes in order: under TLS with a close_notify first, bounded by {@link #CLOSE_NOTIFY_MILLIS}. Only when nothing is being written. */
    void close() {
        if (!isTls()) {
            abort();
            return;
        }
        ScheduledFuture<?> guard = GUARD.schedule(this::abort, CLOSE_NOTIFY_MILLIS, TimeUnit.MILLISECONDS);
        try {
            socket.close();
        } catch (IOException ignored) {
            // the peer has gone: the TCP close below is all there is to do
        } finally {
            guard.cancel(false);
            abort();
        }
    }
}
