package org.dicomrelay.dicom.net.service;

import org.dicomrelay.dicom.data.TransferSyntax;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * An object to send with C-STORE as its bytes arrive: a bare data set (no meta information) in
 * {@code transferSyntax}, read once, while it is sent, so it is never whole in memory or on disk.
 * The total length is not needed: P-DATA fragments go out as the stream yields them, and the
 * last one is flagged only after the stream has ended normally. If reading fails before that,
 * the association is aborted (A-ABORT, PS3.8 §7.3.2), so that the peer never completes a
 * partial data set; {@link #failure()} then says why.
 */
public final class StreamSource {
    private final Tracked in;
    private final String sopClassUid;
    private final String sopInstanceUid;
    private final TransferSyntax transferSyntax;

    public StreamSource(InputStream dataSet, String sopClassUid, String sopInstanceUid, TransferSyntax transferSyntax) {
        this.in = new Tracked(dataSet);
        this.sopClassUid = sopClassUid;
        this.sopInstanceUid = sopInstanceUid;
        this.transferSyntax = transferSyntax;
    }

    public String sopClassUid() { return sopClassUid; }

    public String sopInstanceUid() { return sopInstanceUid; }

    public TransferSyntax transferSyntax() { return transferSyntax; }

    /** Whether a byte has been asked of the stream: from then on the object cannot be sent again. */
    public boolean started() { return in.started; }

    /** What the stream threw while the object was sent (the C-STORE was aborted for it), or null. */
    public Exception failure() { return in.failure; }

    /** The data set, once. */
    InputStream dataSet() { return in; }

    /** Records whether the stream was touched and what it threw, so that a caller can tell its source's failure from the peer's. */
    private static final class Tracked extends FilterInputStream {
        volatile boolean started;
        volatile Exception failure;

        Tracked(InputStream in) {
            super(in);
        }

        @Override public int read() throws IOException {
            started = true;
            try {
                return super.read();
            } catch (IOException | RuntimeException e) {
                failure = e;
                throw e;
            }
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            started = true;
            try {
                return super.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                failure = e;
                throw e;
            }
        }

        @Override public long skip(long n) throws IOException {
            started = true;
            try {
                return super.skip(n);
            } catch (IOException | RuntimeException e) {
                failure = e;
                throw e;
            }
        }
    }
}
