package org.dicomrelay.console;

import io.javalin.http.sse.SseClient;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server-sent events to the open pages: {@link #publish} sends an event to every signed-in page
 * listening on {@code /api/events}. At most {@link #MAX_CLIENTS} at once (a further one is closed
 * at once: the page falls back to reloading); the console server closes them all when it stops.
 */
public final class LiveUpdates implements AutoCloseable {
    public static final int MAX_CLIENTS = 32;
    private static final System.Logger LOG = System.getLogger(LiveUpdates.class.getName());

    private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();

    void add(SseClient c) {
        if (clients.size() >= MAX_CLIENTS) {
            LOG.log(System.Logger.Level.WARNING, "refused a live-update listener: " + MAX_CLIENTS + " pages listen already");
            c.close();
            return;
        }
        clients.add(c);
        c.onClose(() -> clients.remove(c));
        c.sendEvent("hello", "{}");
        c.keepAlive();
    }

    /** Sends {@code json} as event {@code event}; a page that went away is dropped. */
    public void publish(String event, String json) {
        for (SseClient c : clients) {
            if (c.terminated()) {
                clients.remove(c);
                continue;
            }
            try {
                c.sendEvent(event, json);
            } catch (RuntimeException e) {
                clients.remove(c);
            }
        }
    }

    public int listeners() { return clients.size(); }

    @Override public void close() {
        for (SseClient c : clients) c.close();
        clients.clear();
    }
}
