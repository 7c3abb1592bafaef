package org.dicomrelay.dicom.net.tls;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * The TLS side of DICOM associations (PS3.15 Annex B, the BCP 195 profiles: {@link Bcp195}):
 * our certificate and key (a requestor may have none), and the certificates we trust. A peer
 * is accepted when its certificate chains to one of the trusted certificates (a self-signed
 * device certificate may be trusted directly); its host name is not checked, as is DICOM
 * practice: devices are reached by IP address and configured by AE title, and their certificates
 * seldom name the host. Trusting a certificate therefore means trusting whoever holds its key,
 * at any address: give the trusted set only the devices' own certificates or a CA of one's own,
 * never a public CA bundle.
 */
public final class DicomTls {
    private final SSLContext context;
    private final boolean requireClientCertificate;

    private DicomTls(SSLContext context, boolean requireClientCertificate) {
        this.context = context;
        this.requireClientCertificate = requireClientCertificate;
    }

    /**
     * @param chain   our certificate chain, end entity first (empty: none, a requestor only)
     * @param key     its private key (null with no chain)
     * @param trusted the certificates a peer's chain must lead to
     * @param requireClientCertificate as acceptor: a requestor without a certificate is refused
     *                (without: one that presents a certificate must still present a trusted one)
     */
    public static DicomTls of(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trusted, boolean requireClientCertificate) {
        if (trusted.isEmpty()) throw new IllegalArgumentException("no trusted certificate: every peer would be refused");
        if (chain.isEmpty() != (key == null)) throw new IllegalArgumentException("a certificate needs its private key and a key its certificate");
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            for (int i = 0; i < trusted.size(); i++) trust.setCertificateEntry("trusted-" + i, trusted.get(i));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (key != null) {
                // An in-memory store only: the password protects nothing and leaves the process with it.
                char[] password = new char[0];
                KeyStore own = KeyStore.getInstance("PKCS12");
                own.load(null, null);
                own.setKeyEntry("own", key, password, chain.toArray(X509Certificate[]::new));
                kmf = KeyManagerFactory.getInstance("PKIX");
                kmf.init(own, password);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
            return new DicomTls(ctx, requireClientCertificate);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** From PEM files ({@link Pem}); {@code certificate} and {@code privateKey} may both be null (a requestor without certificate). */
    public static DicomTls fromPem(Path certificate, Path privateKey, Path trusted, boolean requireClientCertificate) throws IOException {
        if ((certificate == null) != (privateKey == null)) {
            throw new IOException("TLS needs both a certificate and its private key, or neither: certificate " + certificate
                    + ", private key " + privateKey);
        }
        List<X509Certificate> chain = certificate == null ? List.of() : Pem.certificates(certificate);
        PrivateKey key = privateKey == null ? null : Pem.privateKey(privateKey);
        try {
            return of(chain, key, Pem.certificates(trusted), requireClientCertificate);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage() + " (certificate " + certificate + ", key " + privateKey + ", trusted " + trusted + ")", e);
        }
    }

    public boolean requiresClientCertificate() { return requireClientCertificate; }

    /** TLS as requestor on a connected TCP socket: the handshake is done when this returns (within {@code timeout}). */
    public SSLSocket requestor(Socket tcp, String host, int port, Duration timeout) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(tcp, host, port, true);
        s.setUseClientMode(true);
        s.setSSLParameters(Bcp195.apply(s.getSSLParameters()));
        return handshake(s, timeout);
    }

    /** TLS as acceptor on an accepted TCP socket: the handshake is done when this returns (within {@code timeout}). */
    public SSLSocket acceptor(Socket tcp, Duration timeout) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(tcp, null, true);
        s.setUseClientMode(false);
        SSLParameters p = Bcp195.apply(s.getSSLParameters());
        if (requireClientCertificate) p.setNeedClientAuth(true);
        else p.setWantClientAuth(true);
        s.setSSLParameters(p);
        return handshake(s, timeout);
    }

    private static SSLSocket handshake(SSLSocket s, Duration timeout) throws IOException {
        int before = s.getSoTimeout();
        s.setSoTimeout((int) timeout.toMillis());
        s.startHandshake();
        s.setSoTimeout(before);
        return s;
    }
}
