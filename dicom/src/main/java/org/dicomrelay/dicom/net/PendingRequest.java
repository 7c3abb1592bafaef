package org.dicomrelay.dicom.net;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The responses to one request as they arrive: pending ones are handed out one by one while the
 * operation runs, not collected at the end.
 */
public final class PendingRequest {
    private final Association as;
    private final int messageId;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private boolean done;

    PendingRequest(Association as, int messageId) {
        this.as = as;
        this.messageId = messageId;
    }

    public int messageId() { return messageId; }

    void deliver(DimseResponse rsp) {
        queue.add(rsp);
    }

    void fail(IOException e) {
        queue.add(e);
    }

    /**
     * The next response, waiting up to the association's DIMSE timeout (aborting the association
     * when it expires); null after the final response.
     */
    public DimseResponse next() throws IOException {
        if (done) return null;
        Duration timeout = as.options().dimseTimeout();
        Object o;
        try {
            o = timeout.isZero() ? queue.take() : queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssociationException("interrupted while waiting for a response to message " + messageId);
        }
        if (o == null) {
            as.abort();
            throw new AssociationException("no response to message " + messageId + " within " + timeout.toSeconds() + " s: association aborted");
        }
        if (o instanceof IOException e) {
            done = true;
            throw e;
        }
        DimseResponse r = (DimseResponse) o;
        if (!r.isPending()) done = true;
        return r;
    }

    /** Asks the peer to cancel (C-CANCEL-RQ, PS3.7 §9.3.2.3); responses keep coming until the final one. */
    public void cancel(int presentationContextId) throws IOException {
        as.cancel(presentationContextId, messageId);
    }
}
