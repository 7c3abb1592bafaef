package org.dicomrelay.router.link;

import org.dicomrelay.relay.cloud.BridgeTransport;
import org.dicomrelay.relay.cloud.Notifications;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Router inboxes in memory (what the Bridge does), recording every message for confidentiality checks. */
public final class MemoryInboxes {
    private final Map<String, LinkedBlockingQueue<Notifications.Notification>> inboxes = new ConcurrentHashMap<>();
    public final List<byte[]> published = new CopyOnWriteArrayList<>();

    public BridgeTransport transport(String routerId) {
        inboxes.computeIfAbsent(routerId, k -> new LinkedBlockingQueue<>());
        return new BridgeTransport() {
            @Override public void publish(String to, byte[] message) throws IOException {
                LinkedBlockingQueue<Notifications.Notification> q = inboxes.get(to);
                if (q == null) throw new IOException("no inbox for " + to);
                published.add(message.clone());
                q.add(new Notifications.Notification(UUID.randomUUID().toString(), message.clone()));
            }

            @Override public List<Notifications.Notification> poll(Duration timeout) throws IOException {
                List<Notifications.Notification> out = new ArrayList<>();
                try {
                    Notifications.Notification n = inboxes.get(routerId).poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    if (n != null) {
                        out.add(n);
                        inboxes.get(routerId).drainTo(out);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
                return out;
            }

            @Override public void ack(String id) {
                // delivery is exactly once here: nothing to remove
            }
        };
    }
}
