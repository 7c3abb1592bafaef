package org.dicomrelay.router;

import org.dicomrelay.dicom.net.Association;
import org.dicomrelay.dicom.net.service.DimseServices;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The instances a local PACS sends to this router as the destination of a C-MOVE the router
 * issued on behalf of another institution: each is matched to its operation by move originator
 * message ID (PS3.7 §9.3.1.1) and calling AE, and passed on as it streams in.
 */
final class InboundInstances {
    private static final System.Logger LOG = System.getLogger(InboundInstances.class.getName());

    /** Receives one instance of a retrieve; returns the C-STORE status for the PACS. */
    @FunctionalInterface
    interface Receiver {
        int receive(DimseServices.StoreRequest rq, InputStream data) throws IOException;
    }

    private record Key(String deviceAe, int messageId) {}

    private final Map<Key, Receiver> receivers = new ConcurrentHashMap<>();

    private final java.util.concurrent.atomic.AtomicInteger messageIds = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Registers a receiver under a message ID unique in this router (not per association: every
     * new association would start again at 1, and two retrieves from one PACS would collide);
     * the caller sends its C-MOVE with that ID.
     */
    int expect(String deviceAe, Receiver r) {
        while (true) {
            int id = messageIds.updateAndGet(i -> i >= 0xFFFF ? 1 : i + 1);
            if (receivers.putIfAbsent(new Key(deviceAe, id), r) == null) {
                synchronized (this) {
                    notifyAll();
                }
                return id;
            }
        }
    }

    void done(String deviceAe, int messageId, Receiver r) {
        receivers.remove(new Key(deviceAe, messageId), r);
    }

    int store(Association as, DimseServices.StoreRequest rq, InputStream data) throws IOException {
        Key key = new Key(as.callingAeTitle(), rq.moveOriginatorMessageId());
        Receiver r = receivers.get(key);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        synchronized (this) {
            // The PACS may start sending before our C-MOVE call has returned to register: wait a little.
            while (r == null && System.nanoTime() < deadline) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                r = receivers.get(key);
            }
        }
        if (r == null) {
            LOG.log(System.Logger.Level.WARNING, "refused an instance from " + as.callingAeTitle() + " for move message "
                    + rq.moveOriginatorMessageId() + ": no relayed retrieve is waiting for it");
            return 0x0124;
        }
        return r.receive(rq, data);
    }
}
