package org.dicomrelay.dicom.net;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The socket input of an established association, with our two limits on the peer (the table of
 * PS3.8 has no timer in Sta6): between messages it may be silent for the idle timeout, unless a
 * request is still being answered; once a PDU is due (its first byte has come, or a message is
 * under way) it must arrive by a deadline. A deadline, not a per-read timeout: a peer that
 * trickles a byte now and then cannot hold the association past it. A limit that passes ends the
 * read with {@link SocketTimeoutException}; {@link #phase()} tells which one it was.
 * Before establishment and after it ends the stream is untimed: ARTIM governs there.
 */
final class TimedInput extends FilterInputStream {
    enum Phase { UNTIMED, IDLE, READ }

    /** While busy, how often the idle wait looks again whether the association has become idle. */
    private static final long BUSY_RECHECK_MILLIS = 1000;

    private final Socket socket;
    private final long idleNanos;
    private final long readNanos;
    private final int untimedMillis;
    private final BooleanSupplier busy;
    private volatile Phase phase = Phase.UNTIMED;
    /** READ: when the PDU due must have arrived (System.nanoTime); unused when there is no read timeout. */
    private long deadline;
    /** IDLE: since when nothing has happened (a byte received, or the last answer sent). */
    private volatile long quietSince = System.nanoTime();

    /**
     * @param untimedMillis the socket timeout to restore when the stream goes back to untimed
     * @param busy          whether a request is being answered (by either side): no idle timeout then
     */
    TimedInput(Socket socket, InputStream in, AssociationOptions options, int untimedMillis, BooleanSupplier busy) {
        super(in);
        this.socket = socket;
        this.idleNanos = options.idleTimeout().toNanos();
        this.readNanos = options.readTimeout().toNanos();
        this.untimedMillis = untimedMillis;
        this.busy = busy;
    }

    Phase phase() { return phase; }

    /** At a message boundary: the idle timeout applies until the next byte. */
    void awaitMessage() {
        phase = Phase.IDLE;
    }

    /** In the middle of a message: the next PDU must be whole within the read timeout. */
    void awaitPdu() {
        phase = Phase.READ;
        deadline = System.nanoTime() + readNanos;
    }

    /** Outside Sta6: no limit of ours (ARTIM and the release timeout bound those states). */
    void untimed() throws IOException {
        if (phase == Phase.UNTIMED) return;
        phase = Phase.UNTIMED;
        socket.setSoTimeout(untimedMillis);
    }

    /** Something happened that restarts the idle wait: the last outstanding request was answered. */
    void activity() {
        quietSince = System.nanoTime();
    }

    @Override public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    /** Through {@link #read(byte[], int, int)}: the socket's own skip would escape the limits. */
    @Override public long skip(long n) throws IOException {
        if (n <= 0) return 0;
        int k = read(new byte[(int) Math.min(n, 8192)], 0, (int) Math.min(n, 8192));
        return Math.max(k, 0);
    }

    @Override public int read(byte[] b, int off, int len) throws IOException {
        return switch (phase) {
            case UNTIMED -> in.read(b, off, len);
            case IDLE -> readIdle(b, off, len);
            case READ -> readBy(b, off, len);
        };
    }

    private int readIdle(byte[] b, int off, int len) throws IOException {
        while (true) {
            long wait = 0;
            if (idleNanos > 0) {
                if (busy.getAsBoolean()) {
                    wait = BUSY_RECHECK_MILLIS;
                } else {
                    long left = quietSince + idleNanos - System.nanoTime();
                    if (left <= 0) throw new SocketTimeoutException("idle timeout");
                    wait = millis(left);
                }
            }
            socket.setSoTimeout((int) Math.min(wait, Integer.MAX_VALUE));
            int n;
            try {
                n = in.read(b, off, len);
            } catch (SocketTimeoutException again) {
                continue; // the socket stays usable; look again whether the association is idle
            }
            if (n > 0) {
                // The peer has begun a PDU: it has the read timeout to finish it.
                quietSince = System.nanoTime();
                awaitPdu();
            }
            return n;
        }
    }

    private int readBy(byte[] b, int off, int len) throws IOException {
        if (readNanos > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new SocketTimeoutException("read timeout");
            socket.setSoTimeout((int) Math.min(millis(left), Integer.MAX_VALUE));
        } else {
            socket.setSoTimeout(0);
        }
        int n = in.read(b, off, len);
        if (n > 0) quietSince = System.nanoTime();
        return n;
    }

    /** Rounded up, and at least 1: a socket timeout of 0 would mean forever. */
    private static long millis(long nanos) {
        return Math.max(1, (nanos + 999_999) / 1_000_000);
    }
}
