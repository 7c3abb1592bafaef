package org.dicomrelay.router.link;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Carries {@link LinkMessage}s between routers. The cloud implementation seals every message and payload for
 * the recipient (end-to-end encryption) and uses only random names; tests may use an in-memory one.
 */
public interface Courier extends Closeable {

    /** Writes a payload (e.g. a DICOM data set) into the stream it is given. */
    @FunctionalInterface
    interface PayloadWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Receives messages addressed to this router, authenticated and decoded; {@code payload} is
     * null when the message has none.
     */
    @FunctionalInterface
    interface Listener {
        void onMessage(String fromRouterId, LinkMessage message, InputStream payload) throws IOException;
    }

    void send(String toRouterId, LinkMessage message, PayloadWriter payload) throws IOException;

    /**
     * Sends a C-STORE of {@code size} bytes; returns when its bytes are handed over, with a stage that fails
     * if they never leave after all (a bundle whose upload failed: the caller sends the object again).
     * A courier that bundles returns before the bundle goes; by default the object goes alone, as {@link #send}.
     */
    default java.util.concurrent.CompletionStage<Void> sendStore(String toRouterId, LinkMessage.StoreRq message, long size,
                                                                  PayloadWriter payload) throws IOException {
        send(toRouterId, message, payload);
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /** How its cloud provider answers; null for a courier that reaches none (in-process tests). */
    default CloudReach cloudReach() {
        return null;
    }

    /** Starts delivering incoming messages to the listener (on courier threads). */
    void start(Listener listener);

    /**
     * Keeps a record of the payloads this courier uploads, so that those whose message was lost are
     * deleted in time (couriers that store nothing, such as in-memory ones for tests, ignore it).
     * Not a default method: a courier that wraps another must pass it on, or orphans stay.
     */
    void recordUploadsIn(UploadJournal journal);

    /**
     * The sender no longer waits for the answer to {@code operationId} (its deadline passed):
     * its payload, if not yet consumed, is withdrawn so that a late delivery cannot store the
     * object a second time beside the resend.
     */
    void abandon(String toRouterId, String operationId);
}
