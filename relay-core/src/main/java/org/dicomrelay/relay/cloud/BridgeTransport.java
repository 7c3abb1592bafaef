package org.dicomrelay.relay.cloud;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

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

    /**
     * {@link #ack(List)} then {@link #poll(Duration, String)}, in one request where the Bridge
     * takes acknowledgements with a poll.
     */
    default List<Notifications.Notification> poll(Duration timeout, String pollerId, List<String> acknowledge) throws IOException {
        if (!acknowledge.isEmpty()) ack(acknowledge);
        return poll(timeout, pollerId);
    }

    /** Whether {@link #poll(Duration, String, List)} carries the acknowledgements in the poll's request (else: two calls). */
    default boolean acknowledgesInPolls() {
        return false;
    }

    void ack(String notificationId) throws IOException;

    /**
     * Acknowledges several notifications, in as few requests as the Bridge allows (one at a time
     * here); one already gone, or delivered again since, is not an error.
     */
    default void ack(List<String> notificationIds) throws IOException {
        IOException first = null;
        for (String id : notificationIds) {
            try {
                ack(id);
            } catch (IOException e) {
                if (first == null) first = e; // the others still go: each one left only comes back
            }
        }
        if (first != null) throw first;
    }

    /** This router's blob limits and use at the Bridge. */
    default BlobAccount blobAccount() throws IOException {
        throw new IOException("this Bridge connection does not store blobs");
    }

    /**
     * Sends a part of a blob, at most {@link BlobAccount#partBytes()}, without waiting for the answer:
     * several parts of one blob may be in flight (part 0 alone: it creates the blob). The future
     * completes once the Bridge has stored the part and every part before it; the part flagged last
     * completes the blob. It fails with a {@link org.dicomrelay.relay.bridge.BridgeException}, status
     * 429, when this router is over its quota (transient: blobs are consumed or expire), or with a
     * {@link org.dicomrelay.relay.bridge.BridgeUnreachableException} when no answer came (the part may
     * be sent again: one already stored is answered again).
     */
    default CompletableFuture<Void> putBlobPart(BlobPart part) {
        return CompletableFuture.failedFuture(new IOException("this Bridge connection does not store blobs"));
    }

    /**
     * A blob addressed to this router, streamed: a complete one, or one still being uploaded (its
     * parts as they are stored; the stream fails if the upload is aborted, expires or stalls);
     * {@link java.io.FileNotFoundException} if absent (or not ours).
     */
    default InputStream openBlob(String name) throws IOException {
        throw new IOException("this Bridge connection does not store blobs");
    }

    /**
     * Bytes {@code [start, start + length)} of a blob addressed to this router, delivered to
     * {@code sink} as they arrive, without blocking the caller. The future completes once the range
     * ended cleanly: with all its bytes, or fewer where the blob ends (a blob being uploaded: its
     * bytes as they are stored). It fails with a {@link org.dicomrelay.relay.bridge.BridgeUnreachableException}
     * if the answer was cut off or never came (what the sink got so far is good: ask for the rest),
     * {@link java.io.FileNotFoundException} if the blob is absent (or not ours).
     */
    default CompletableFuture<Void> readBlobRange(String name, long start, int length, BlobRangeSink sink) {
        return CompletableFuture.failedFuture(new IOException("this Bridge connection does not store blobs"));
    }

    /** Deletes a blob this router sent or received, complete or not; an absent one is not an error. */
    default void deleteBlob(String name) throws IOException {
        throw new IOException("this Bridge connection does not store blobs");
    }
}
