package org.dicomrelay.relay.cloud;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** The inbox operations the Bridge offers to an authenticated router (used by the Bridge notification provider). */
public interface BridgeTransport {
    void publish(String recipientRouterId, byte[] message) throws IOException;

    List<Notifications.Notification> poll(Duration timeout) throws IOException;

    void ack(String notificationId) throws IOException;
}
