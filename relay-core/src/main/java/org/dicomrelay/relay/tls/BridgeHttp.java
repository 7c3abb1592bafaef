package org.dicomrelay.relay.tls;

import java.net.URI;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * HTTP clients for the Bridge. HTTPS trusts either exactly the pinned certificate (its SHA-256
 * fingerprint; no host name check, see {@link PinnedTrustManager}) or, without a pin, the JDK's
 * CA store with the usual host name check; TLS 1.3 and 1.2 only. A router's client certificate, when
 * given, is presented on every connection. Plain {@code http://} is refused unless the host is a
 * loopback address, before anything is sent.
 */
public final class BridgeHttp {
    /**
     * The JDK HttpClient reads its socket in buffers of {@code jdk.httpclient.bufsize} (16 KiB by
     * default), and each read goes through its schedulers and the TLS engine. Measured (a 50 MB blob
     * from an HTTPS Bridge on loopback, Bridge and client in one JVM, median of 8): 16 KiB 220-230 ms
     * of CPU, 64 KiB 170, 256 KiB 140-150. Read once by the JDK, before the first HttpClient (made here,
     * so this class sets it first); a value given on the command line wins.
     */
    public static final int HTTP_READ_BUFFER = 256 * 1024;

    static {
        if (System.getProperty("jdk.httpclient.bufsize") == null) System.setProperty("jdk.httpclient.bufsize", String.valueOf(HTTP_READ_BUFFER));
    }

    /** TLS versions, as PS3.15 Annex B's BCP 195 profiles allow them. */
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private BridgeHttp() {}

    /**
     * Refuses a Bridge URL that would send credentials in clear text across a network: only
     * https, or http to a loopback host.
     *
     * @throws InsecureBridgeUrlException naming the URL and what to do
     */
    public static void requireSafe(URI url) throws InsecureBridgeUrlException {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (url.getHost() == null) throw new InsecureBridgeUrlException("the Bridge URL " + url + " has no host");
        if (scheme.equals("https")) return;
        if (scheme.equals("http") && LoopbackHost.is(url.getHost())) return;
        if (scheme.equals("http")) {
            throw new InsecureBridgeUrlException("refusing plain http to " + url.getHost() + ": the Bridge URL must be https:// unless the Bridge "
                    + "is on this machine (loopback); nothing was sent");
        }
        throw new InsecureBridgeUrlException("the Bridge URL " + url + " must start with https://");
    }

    /**
     * @param pinnedFingerprint the Bridge certificate's SHA-256 fingerprint, or null for the JDK's CA store
     * @param identity the router's client certificate and key, or null (enrollment, administration)
     */
    public static HttpClient newClient(URI url, String pinnedFingerprint, ClientIdentity identity, Duration connectTimeout)
            throws GeneralSecurityException {
        SSLContext tls = context(url, pinnedFingerprint, identity);
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (tls != null) {
            SSLParameters params = tls.getDefaultSSLParameters();
            params.setProtocols(PROTOCOLS);
            b.sslContext(tls).sslParameters(params);
        }
        return b.build();
    }

    /**
     * Sockets for blocking HTTPS calls to the Bridge ({@link javax.net.ssl.HttpsURLConnection}) with the same
     * trust, identity and TLS versions as {@link #newClient}, and TCP_NODELAY, each handed to {@code created} (to be
     * closed by its owner); null for a plain http URL (loopback only, as {@link #requireSafe} says).
     */
    public static SSLSocketFactory newSocketFactory(URI url, String pinnedFingerprint, ClientIdentity identity,
                                                    java.util.function.Consumer<java.net.Socket> created) throws GeneralSecurityException {
        SSLContext tls = context(url, pinnedFingerprint, identity);
        return tls == null ? null : new ProtocolSocketFactory(tls.getSocketFactory(), PROTOCOLS, created);
    }

    /** The TLS context for {@code url}, null for plain http (loopback only; refused with a fingerprint). */
    private static SSLContext context(URI url, String pinnedFingerprint, ClientIdentity identity) throws GeneralSecurityException {
        requireSafe(url);
        if (!"https".equalsIgnoreCase(url.getScheme())) {
            if (pinnedFingerprint != null) {
                throw new InsecureBridgeUrlException("a Bridge fingerprint is given but the URL " + url + " is plain http: use https://");
            }
            return null;
        }
        SSLContext tls = SSLContext.getInstance("TLS");
        TrustManager[] trust = pinnedFingerprint == null ? null : new TrustManager[] {new PinnedTrustManager(pinnedFingerprint)};
        tls.init(identity == null ? null : keyManagers(identity), trust, null);
        return tls;
    }

    private static KeyManager[] keyManagers(ClientIdentity identity) {
        return new KeyManager[] {new ClientKeyManager(identity)};
    }
}
