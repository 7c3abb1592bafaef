package org.dicomrelay.router.link;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Routers in one JVM, connected without cloud or crypto: for tests of the relay logic alone. */
public final class LocalHub {
    private final Map<String, Courier.Listener> listeners = new ConcurrentHashMap<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "local-hub");
        t.setDaemon(true);
        return t;
    });
    private final KeyedExecutor ordered = new KeyedExecutor(pool);

    public Courier courier(String routerId) {
        return new Courier() {
            @Override public void send(String to, LinkMessage message, PayloadWriter payload) throws IOException {
                Courier.Listener l = listeners.get(to);
                if (l == null) throw new IOException("no router " + to);
                byte[] data = null;
                if (payload != null) {
                    ByteArrayOutputStream bos = new ByteArrayOutputStream();
                    payload.writeTo(bos);
                    data = bos.toByteArray();
                }
                byte[] d = data;
                Runnable task = () -> {
                    try {
                        l.onMessage(routerId, message, d == null ? null : new ByteArrayInputStream(d));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                };
                // as CloudCourier: a CANCEL overtakes the frames of the operation it cancels
                if (message instanceof LinkMessage.Cancel) pool.execute(task);
                else ordered.execute(message.operationId(), task);
            }

            @Override public void start(Listener listener) {
                listeners.put(routerId, listener);
            }

            @Override public void recordUploadsIn(UploadJournal journal) {} // nothing is stored: nothing to sweep

            @Override public void abandon(String to, String operationId) {} // delivered in memory: nothing to withdraw

            @Override public void close() {
                listeners.remove(routerId);
            }
        };
    }
}
