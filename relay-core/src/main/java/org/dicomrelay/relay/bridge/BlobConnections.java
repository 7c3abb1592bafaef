package org.dicomrelay.relay.bridge;

import java.io.IOException;
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
 * which end when idle; {@link #close()} stops them and closes the TLS sockets still open, so a
 * thread reading a blob is never left blocked on one (an interrupt does not reach a blocking
 * socket read, and {@code HttpURLConnection.disconnect()} waits for the reader's lock: it
 * deadlocked). With plain http (loopback only) a read in progress ends with the Bridge's answer or
 * its idle timeout.
 */
final class BlobConnections implements AutoCloseable {
    /** Threads sending parts; each upload bounds its own parts in flight. */
    static final int SENDERS = 8;
    private static final Duration IDLE = Duration.ofSeconds(30);

    private final SSLSocketFactory tls;
    private final int connectTimeoutMillis;
    private final ThreadPoolExecutor senders;
    private final Set<java.net.Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    BlobConnections(URI bridgeUrl, String pinnedFingerprint, ClientIdentity identity, Duration connectTimeout) throws GeneralSecurityException {
        this.tls = BridgeHttp.newSocketFactory(bridgeUrl, pinnedFingerprint, identity, this::created);
        this.connectTimeoutMillis = Math.toIntExact(connectTimeout.toMillis());
        AtomicInteger n = new AtomicInteger();
        this.senders = new ThreadPoolExecutor(SENDERS, SENDERS, IDLE.toMillis(), TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "bridge-blob-part-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        senders.allowCoreThreadTimeOut(true);
    }

    private void created(java.net.Socket s) {
        sockets.removeIf(java.net.Socket::isClosed); // those the keep-alive cache has closed since
        sockets.add(s);
        if (closed) closeQuietly(s);
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
            if (tls == null) throw new IOException("an https URL for a plain http Bridge: " + uri);
            https.setSSLSocketFactory(tls);
        }
        c.setRequestMethod(method);
        c.setConnectTimeout(connectTimeoutMillis);
        c.setReadTimeout(Math.toIntExact(readTimeout.toMillis()));
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setAllowUserInteraction(false);
        return c;
    }

    @Override public void close() {
        closed = true;
        senders.shutdownNow();
        for (java.net.Socket s : sockets) closeQuietly(s);
        sockets.clear();
    }

    private static void closeQuietly(java.net.Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing: nothing to tell
        }
    }
}
