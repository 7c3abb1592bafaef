package org.dicomrelay.relay.cloud;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;

/**
 * What the Bridge offers an authenticated router: its notification inbox (used by
 * {@link BridgeNotifications}) and blob storage (used by the "bridge" Cloud IO provider). The blob
 * operations have defaults that refuse, so that a connection carrying notifications only (a test's
 * in-memory inbox) needs nothing more.
 */
public interface BridgeTransport {
    void publish(String recipientRouterId, byte[] message) throws IOException;

    List<Notifications.Notification> poll(Duration timeout) throws IOException;

    /**
     * {@link #poll(Duration)} through poller {@code pollerId} (one per inbox reader instance). The
     * Bridge treats the first poll of a new poller as the router's restart: the previous poller's
     * parked polls end and what was in flight to it is delivered again at once, rather than after
     * the visibility timeout. Transports without that notion ignore the ID.
     */
    default List<Notifications.Notification> poll(Duration timeout, String pollerId) throws IOException {
        return poll(timeout);
    }

    void ack(String notificationId) throws IOException;

    /** This router's blob limits and use at the Bridge. */
    default BlobAccount blobAccount() throws IOException {
        throw new IOException("this Bridge connection does not store blobs");
    }

    /**
     * Sends part {@code index} (0, 1, 2... in order) of blob {@code name} for {@code recipientRouterId}:
     * {@code length} bytes of {@code data}, at most {@link BlobAccount#partBytes()}. The part with
     * {@code last} set completes the blob: only then can the recipient read it.
     * A {@link org.dicomrelay.relay.bridge.BridgeException} with status 429 means this router is
     * over its quota (transient: blobs are consumed or expire).
     */
    default void putBlobPart(String name, String recipientRouterId, int index, byte[] data, int length, boolean last) throws IOException {
        throw new IOException("this Bridge connection does not store blobs");
    }

    /** A complete blob addressed to this router, streamed; {@link java.io.FileNotFoundException} if absent (or not ours). */
    default InputStream openBlob(String name) throws IOException {
        throw new IOException("this Bridge connection does not store blobs");
    }

    /** Deletes a blob this router sent or received, complete or not; an absent one is not an error. */
    default void deleteBlob(String name) throws IOException {
        throw new IOException("this Bridge connection does not store blobs");
    }
}
