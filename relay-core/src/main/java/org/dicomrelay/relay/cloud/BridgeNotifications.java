package org.dicomrelay.relay.cloud;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Notifications carried by the Bridge, for providers without a queue service of their own (such
 * as "filesystem"): every call goes to the router's {@link BridgeTransport}. Closing it leaves
 * the transport open; the router owns its Bridge connection. Each instance is one poller of the
 * inbox (see {@link BridgeTransport#poll(Duration, String)}): a restarted router's new instance
 * gets at once what the Bridge had handed to the previous one.
 */
public final class BridgeNotifications implements Notifications {
    private final BridgeTransport bridge;
    private final String pollerId = UUID.randomUUID().toString();

    public BridgeNotifications(BridgeTransport bridge) {
        this.bridge = Objects.requireNonNull(bridge, "bridge");
    }

    @Override
    public void publish(String recipientRouterId, byte[] message) throws IOException {
        bridge.publish(recipientRouterId, message);
    }

    @Override
    public List<Notification> poll(Duration timeout) throws IOException {
        return bridge.poll(timeout, pollerId);
    }

    /** The acknowledgements ride on the poll's request (see {@link BridgeTransport#poll(Duration, String, List)}). */
    @Override
    public List<Notification> poll(Duration timeout, List<Notification> delivered) throws IOException {
        return bridge.poll(timeout, pollerId, delivered.stream().map(Notification::id).toList());
    }

    @Override
    public boolean acknowledgesInPolls() {
        return bridge.acknowledgesInPolls();
    }

    @Override
    public void ack(Notification n) throws IOException {
        bridge.ack(n.id());
    }

    @Override
    public void ack(List<Notification> delivered) throws IOException {
        if (!delivered.isEmpty()) bridge.ack(delivered.stream().map(Notification::id).toList());
    }

    @Override
    public void close() {}
}
