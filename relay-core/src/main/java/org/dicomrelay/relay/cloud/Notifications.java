package org.dicomrelay.relay.cloud;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * One inbox per router (Cloud IO). Messages are small opaque byte strings (encrypted envelopes or
 * blob names); delivery is at least once: a message returned by {@link #poll} comes back until
 * {@link #ack} is called for it.
 */
public interface Notifications extends Closeable {

    /**
     * Creates or checks our own inbox where the service needs that (a queue per router), before
     * the router takes work: another router's answer must find it. Nothing by default; polls
     * create it too, so a failure here may be left to them.
     */
    default void prepare() throws IOException {}

    /** Puts a message in another router's inbox. */
    void publish(String recipientRouterId, byte[] message) throws IOException;

    /** Waits up to {@code timeout} for messages in our own inbox; empty if none came. */
    List<Notification> poll(Duration timeout) throws IOException;

    /**
     * Removes a delivered message from our inbox. A message delivered again (its visibility timeout
     * passed) has a new delivery: an ack of the earlier delivery must not remove it.
     */
    void ack(Notification n) throws IOException;

    /**
     * Acknowledges several deliveries, in as few requests as the service allows; one at a time by
     * default. Throws if any was not acknowledged (after trying the others).
     */
    default void ack(List<Notification> delivered) throws IOException {
        IOException first = null;
        for (Notification n : delivered) {
            try {
                ack(n);
            } catch (IOException e) {
                if (first == null) first = e; // the others still go: each one left only comes back
            }
        }
        if (first != null) throw first;
    }

    /**
     * Acknowledges {@code delivered} (as {@link #ack(List)}), then polls (as {@link #poll(Duration)}):
     * in one request where the service allows ({@link #acknowledgesInPolls()}), two calls here.
     */
    default List<Notification> poll(Duration timeout, List<Notification> delivered) throws IOException {
        if (!delivered.isEmpty()) ack(delivered);
        return poll(timeout);
    }

    /**
     * Whether {@link #poll(Duration, List)} carries the acknowledgements in the poll itself, so that
     * a reader saves a request per poll by holding them until its next poll; false: acknowledge
     * apart (a reader should not wait a round trip for them before polling).
     */
    default boolean acknowledgesInPolls() {
        return false;
    }

    record Notification(String id, byte[] payload) {}
}
