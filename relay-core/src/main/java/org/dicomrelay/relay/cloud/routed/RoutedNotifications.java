package org.dicomrelay.relay.cloud.routed;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.dicomrelay.relay.cloud.Notifications;

/** Notifications published into the inbox service their recipient reads; ours polled and acknowledged at home. */
final class RoutedNotifications implements Notifications {
    private final RoutedSettings settings;
    private final Map<String, Notifications> inboxes;
    private final Notifications home;

    RoutedNotifications(RoutedSettings settings, Map<String, Notifications> inboxes) {
        this.settings = settings;
        this.inboxes = inboxes;
        this.home = inboxes.get(settings.home());
    }

    /** Only our own inbox: the others' are their readers' to create. */
    @Override
    public void prepare() throws IOException {
        home.prepare();
    }

    @Override
    public void publish(String recipientRouterId, byte[] message) throws IOException {
        inboxes.get(settings.readerOf(recipientRouterId)).publish(recipientRouterId, message);
    }

    @Override
    public List<Notification> poll(Duration timeout) throws IOException {
        return home.poll(timeout);
    }

    @Override
    public void ack(Notification n) throws IOException {
        home.ack(n);
    }

    @Override
    public void ack(List<Notification> delivered) throws IOException {
        home.ack(delivered);
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Notifications n : inboxes.values()) {
            try {
                n.close();
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }
}
