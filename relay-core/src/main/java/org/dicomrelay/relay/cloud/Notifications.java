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

    /** Puts a message in another router's inbox. */
    void publish(String recipientRouterId, byte[] message) throws IOException;

    /** Waits up to {@code timeout} for messages in our own inbox; empty if none came. */
    List<Notification> poll(Duration timeout) throws IOException;

    /** Removes a delivered message from our inbox. */
    void ack(Notification n) throws IOException;

    record Notification(String id, byte[] payload) {}
}
