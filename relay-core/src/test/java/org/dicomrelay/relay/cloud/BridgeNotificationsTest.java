package org.dicomrelay.relay.cloud;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Bridge adapter passes publish, poll and ack through, and at-least-once delivery stays the Bridge's. */
class BridgeNotificationsTest {
    /** An in-memory Bridge: one inbox per router; messages come back on every poll until acked. */
    static final class FakeBridge {
        final Map<String, LinkedHashMap<String, byte[]>> inboxes = new HashMap<>();
        final List<Duration> pollTimeouts = new ArrayList<>();
        int next;

        BridgeTransport connectionOf(String routerId) {
            return new BridgeTransport() {
                @Override
                public void publish(String recipient, byte[] message) {
                    inboxes.computeIfAbsent(recipient, r -> new LinkedHashMap<>()).put("n" + next++, message.clone());
                }

                @Override
                public List<Notifications.Notification> poll(Duration timeout) {
                    pollTimeouts.add(timeout);
                    List<Notifications.Notification> r = new ArrayList<>();
                    inboxes.getOrDefault(routerId, new LinkedHashMap<>())
                            .forEach((id, m) -> r.add(new Notifications.Notification(id, m.clone())));
                    return r;
                }

                @Override
                public void ack(String notificationId) {
                    inboxes.getOrDefault(routerId, new LinkedHashMap<>()).remove(notificationId);
                }
            };
        }
    }

    @Test
    void publishPollAndAckGoThroughTheBridge() throws IOException {
        FakeBridge bridge = new FakeBridge();
        try (Notifications a = new BridgeNotifications(bridge.connectionOf("router-a"));
             Notifications b = new BridgeNotifications(bridge.connectionOf("router-b"))) {
            a.publish("router-b", new byte[] {1});
            a.publish("router-b", new byte[] {2});
            assertThat(a.poll(Duration.ofMillis(5))).isEmpty();

            List<Notifications.Notification> got = b.poll(Duration.ofSeconds(3));
            assertThat(got).extracting(n -> n.payload()[0]).containsExactly((byte) 1, (byte) 2);
            assertThat(bridge.pollTimeouts).containsExactly(Duration.ofMillis(5), Duration.ofSeconds(3));

            b.ack(got.get(0));
            assertThat(b.poll(Duration.ZERO)).extracting(n -> n.payload()[0]).containsExactly((byte) 2);
            b.ack(got.get(1));
            assertThat(b.poll(Duration.ZERO)).isEmpty();
        }
    }
}
