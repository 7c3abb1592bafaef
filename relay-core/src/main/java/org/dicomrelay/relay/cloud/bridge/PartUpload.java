package org.dicomrelay.relay.cloud.bridge;

import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.BridgeTransport;

import java.io.IOException;
import java.util.Arrays;

/**
 * An upload to the Bridge in parts. Bytes collect in one buffer (grown as needed up to the part
 * size, so a small blob costs little memory); a full buffer is sent as the next part only when
 * more bytes follow, so that {@link #close()} always sends a last part, which completes the blob.
 * A failed part fails the upload: the caller aborts, which deletes what the Bridge holds.
 */
final class PartUpload extends BlobStore.Upload {
    private static final int INITIAL_BUFFER = 64 * 1024;
    private static final System.Logger LOG = System.getLogger(PartUpload.class.getName());

    private final BridgeTransport bridge;
    private final String name;
    private final String recipient;
    private final int partBytes;
    private byte[] buffer;
    private int count;
    private int nextPart;
    /** Whether a part was sent (or tried): then the Bridge may hold something to delete. */
    private boolean touched;
    private boolean done;

    PartUpload(BridgeTransport bridge, String name, String recipient, int partBytes) {
        this.bridge = bridge;
        this.name = name;
        this.recipient = recipient;
        this.partBytes = partBytes;
        this.buffer = new byte[Math.min(INITIAL_BUFFER, partBytes)];
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        while (len > 0) {
            if (count == partBytes) sendPart(false); // more bytes follow: this part is not the last
            if (count == buffer.length) buffer = Arrays.copyOf(buffer, (int) Math.min(partBytes, 2L * buffer.length));
            int n = Math.min(len, buffer.length - count);
            System.arraycopy(b, off, buffer, count, n);
            count += n;
            off += n;
            len -= n;
        }
    }

    /** Sends the last part: the blob is complete at the Bridge and its recipient can read it. */
    @Override
    public void close() throws IOException {
        if (done) return;
        ensureOpen();
        sendPart(true);
        done = true;
        buffer = null;
    }

    /** Deletes what the Bridge holds of this upload; a failure is logged (the Bridge expires incomplete uploads anyway). */
    @Override
    public void abort() {
        if (done) return;
        done = true;
        buffer = null;
        if (!touched) return; // nothing sent
        try {
            bridge.deleteBlob(name);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete an aborted upload at the Bridge (it expires there): " + FailureText.of(e));
        }
    }

    private void sendPart(boolean last) throws IOException {
        touched = true;
        bridge.putBlobPart(name, recipient, nextPart, buffer, count, last);
        nextPart++;
        count = 0;
    }

    private void ensureOpen() throws IOException {
        if (done) throw new IOException("upload already closed or aborted");
    }
}
