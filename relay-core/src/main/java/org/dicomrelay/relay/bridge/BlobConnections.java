package org.dicomrelay.relay.bridge;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.dicomrelay.relay.tls.BridgeHttp;
import org.dicomrelay.relay.tls.ClientIdentity;

/**
 * Blob bodies to and from the Bridge on blocking TLS sockets ({@link HttpsURLConnection}), the
 * rest of the API staying on the JDK HttpClient. The HttpClient runs TLS through its reactive
 * pipeline, a task and a copy per record; a blocking socket reads into the caller's buffer.
 * Measured (100 MB over HTTPS on loopback, the client's CPU, JDK 17): a download 2.0-2.3 ms/MB
 * with the HttpClient against 0.6-0.7 here, an upload 1.0-1.9 against 0.6-0.7. Same trust,
 * client certificate and TLS versions as {@link BridgeHttp#newClient}; no proxy, no redirects,
 * no caches. Idle connections are kept by the JDK's keep-alive cache (per factory, so one
 * factory for every call). Parts are sent on at most {@link #SENDERS} threads of this owner's,
 * which end when idle; {@link #close()} stops them and cuts the connections still open, so a
 * thread reading a blob is never left blocked on a socket.
 */
final class BlobConnections implements AutoCloseable {
    /** Threads sending parts; each upload bounds its own parts in flight. */
    static final int SENDERS = 8;
    private static final Duration IDLE = Duration.ofSeconds(30);

    private final SSLSocketFactory sockets;
    private final int connectTimeoutMillis;
    private final ThreadPoolExecutor senders;
    private final Set<HttpURLConnection> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    BlobConnections(URI bridgeUrl, String pinnedFingerprint, ClientIdentity identity, Duration connectTimeout) throws GeneralSecurityException {
        this.sockets = BridgeHttp.newSocketFactory(bridgeUrl, pinnedFingerprint, identity);
        this.connectTimeoutMillis = Math.toIntExact(connectTimeout.toMillis());
        AtomicInteger n = new AtomicInteger();
        this.senders = new ThreadPoolExecutor(SENDERS, SENDERS, IDLE.toMillis(), TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "bridge-blob-part-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        senders.allowCoreThreadTimeOut(true);
    }

    /** The threads on which parts are sent (blocking calls). */
    ExecutorService senders() {
        return senders;
    }

    /** A connection for {@code method} on {@code uri}, not yet connected; each read waits at most {@code readTimeout}. */
    HttpURLConnection open(URI uri, String method, Duration readTimeout) throws IOException {
        if (closed) throw new IOException("the connection to the Bridge is closed");
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
        if (c instanceof HttpsURLConnection https) {
            if (sockets == null) throw new IOException("an https URL for a plain http Bridge: " + uri);
            https.setSSLSocketFactory(sockets);
        }
        c.setRequestMethod(method);
        c.setConnectTimeout(connectTimeoutMillis);
        c.setReadTimeout(Math.toIntExact(readTimeout.toMillis()));
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setAllowUserInteraction(false);
        open.add(c);
        return c;
    }

    /** Done with {@code c} (its body read or abandoned): {@link #close()} no longer cuts it. */
    void done(HttpURLConnection c) {
        open.remove(c);
    }

    /** The body of a connection answered 2xx, as a stream that lets {@link #close()} forget it once closed. */
    InputStream body(HttpURLConnection c) throws IOException {
        return new FilterInputStream(c.getInputStream()) {
            @Override public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    done(c);
                }
            }
        };
    }

    @Override public void close() {
        closed = true;
        senders.shutdownNow();
        for (HttpURLConnection c : open) c.disconnect();
        open.clear();
    }
}
