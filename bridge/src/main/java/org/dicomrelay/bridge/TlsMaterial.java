package org.dicomrelay.bridge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.relay.tls.BridgeHttp;
import org.dicomrelay.relay.tls.CertificateFingerprint;
import org.dicomrelay.relay.tls.ClientIdentity;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The Bridge's TLS keys and certificates, in {@code <dataDir>/tls/} (folder 0700, files 0600): its
 * server certificate (created at first start and reused, or the PEM files of the configuration) and
 * the CA key that certifies routers' client keys at enrollment (always created here).
 */
final class TlsMaterial {
    private static final System.Logger LOG = System.getLogger(TlsMaterial.class.getName());
    static final String FOLDER = "tls";
    static final String SERVER_KEY = "server-key.pem";
    static final String SERVER_CERT = "server-cert.pem";
    static final String CA_KEY = "client-ca-key.pem";
    static final String CA_CERT = "client-ca-cert.pem";
    /** Ciphers of PS3.15 Annex B's BCP 195 profiles: TLS 1.3's, and TLS 1.2 with ECDHE and an AEAD cipher only. */
    private static final String[] CIPHERS = {"TLS_AES_.*", "TLS_CHACHA20_.*", "TLS_ECDHE_.*_GCM_.*", "TLS_ECDHE_.*_CHACHA20_.*"};

    private final PrivateKey serverKey;
    private final List<X509Certificate> serverChain;
    private final PrivateKey caKey;
    private final X509Certificate caCert;

    private TlsMaterial(PrivateKey serverKey, List<X509Certificate> serverChain, PrivateKey caKey, X509Certificate caCert) {
        this.serverKey = serverKey;
        this.serverChain = serverChain;
        this.caKey = caKey;
        this.caCert = caCert;
    }

    /** Loads the configured or earlier created material, creating what is missing. */
    static TlsMaterial loadOrCreate(BridgeConfig config, Instant now) throws IOException, GeneralSecurityException {
        Path dir = OwnerOnly.folder(config.dataDir().resolve(FOLDER));
        BridgeTls tls = config.tls();
        PrivateKey serverKey;
        List<X509Certificate> chain;
        if (tls.selfCreated()) {
            if (!Files.exists(dir.resolve(SERVER_CERT)) || !Files.exists(dir.resolve(SERVER_KEY))) {
                KeyPair kp = ClientIdentity.newKeyPair();
                X509Certificate cert = Certificates.selfSignedServer(kp, names(config), now);
                OwnerOnly.replace(dir.resolve(SERVER_KEY), Certificates.pem(kp.getPrivate()));
                OwnerOnly.replace(dir.resolve(SERVER_CERT), Certificates.pem(cert));
            }
            serverKey = Certificates.readPrivateKey(dir.resolve(SERVER_KEY));
            chain = Certificates.readCertificates(dir.resolve(SERVER_CERT));
            warnAboutMissingNames(chain.get(0), names(config), dir);
        } else {
            serverKey = Certificates.readPrivateKey(tls.privateKey());
            chain = Certificates.readCertificates(tls.certificate());
            if (!matches(serverKey, chain.get(0).getPublicKey())) {
                throw new IOException(tls.privateKey() + " is not the private key of the certificate in " + tls.certificate());
            }
        }
        if (!Files.exists(dir.resolve(CA_CERT)) || !Files.exists(dir.resolve(CA_KEY))) {
            KeyPair kp = ClientIdentity.newKeyPair();
            X509Certificate ca = Certificates.clientCa(kp, now);
            OwnerOnly.replace(dir.resolve(CA_KEY), Certificates.pem(kp.getPrivate()));
            OwnerOnly.replace(dir.resolve(CA_CERT), Certificates.pem(ca));
        }
        PrivateKey caKey = Certificates.readPrivateKey(dir.resolve(CA_KEY));
        X509Certificate caCert = Certificates.readCertificates(dir.resolve(CA_CERT)).get(0);
        return new TlsMaterial(serverKey, List.copyOf(chain), caKey, caCert);
    }

    /** The SAN of a self-created certificate: the bind address unless it is a wildcard, localhost, 127.0.0.1, and tls.names. */
    private static List<String> names(BridgeConfig config) {
        Set<String> names = new LinkedHashSet<>();
        String bind = config.bind().strip();
        if (!bind.equals("0.0.0.0") && !bind.equals("::") && !bind.equals("[::]")) names.add(bind);
        names.add("localhost");
        names.add("127.0.0.1");
        names.addAll(config.tls().names());
        return new ArrayList<>(names);
    }

    /** The certificate is kept (routers pinned it): names added to the configuration later are not in it. */
    private static void warnAboutMissingNames(X509Certificate cert, List<String> wanted, Path dir) {
        Set<String> has = new LinkedHashSet<>();
        try {
            if (cert.getSubjectAlternativeNames() != null) cert.getSubjectAlternativeNames().forEach(n -> has.add(canonical(String.valueOf(n.get(1)))));
        } catch (java.security.cert.CertificateParsingException e) {
            return; // a certificate we made ourselves: cannot happen; TLS works without the names anyway (routers pin it)
        }
        List<String> missing = wanted.stream().filter(n -> !has.contains(canonical(n))).toList();
        if (!missing.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "the Bridge's certificate (created earlier in " + dir + ") does not name " + missing
                    + "; routers that pin its fingerprint do not mind. For a certificate with these names delete " + SERVER_CERT + " and "
                    + SERVER_KEY + " there: the next start creates one, with a new fingerprint every router must be enrolled with again");
        }
    }

    /** IPv6 literals in one spelling ("::1" and "0:0:0:0:0:0:0:1"); anything else as it is. */
    private static String canonical(String name) {
        if (!name.contains(":")) return name.toLowerCase(java.util.Locale.ROOT);
        try {
            return java.net.InetAddress.getByName(name).getHostAddress(); // a literal: parsed, not resolved
        } catch (java.net.UnknownHostException e) {
            return name;
        }
    }

    /** Whether a private key belongs to a public key: a signature made with one verifies with the other. */
    private static boolean matches(PrivateKey key, PublicKey publicKey) {
        try {
            String alg = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : null;
            if (alg == null) return true; // another algorithm: TLS will tell
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            java.security.Signature s = java.security.Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            s.initVerify(publicKey);
            s.update(probe);
            return s.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** SHA-256 of the server certificate, as operators give it to {@code enroll --bridge-fingerprint}. */
    String fingerprint() {
        return CertificateFingerprint.of(serverChain.get(0));
    }

    /**
     * Jetty's TLS: this server certificate, TLS 1.3/1.2 with BCP 195 ciphers, and a client certificate
     * wanted (not needed: administration and enrollment have none) and, when given, checked against
     * the router CA during the handshake. Which router it is, and whether it is still active, the API
     * checks per request ({@link BridgeApi}).
     */
    SslContextFactory.Server sslContextFactory() throws GeneralSecurityException, IOException {
        char[] password = HexFormat.of().formatHex(random(16)).toCharArray(); // in-memory stores only
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("bridge", serverKey, password, serverChain.toArray(X509Certificate[]::new));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("router-ca", caCert);
        SslContextFactory.Server f = new SslContextFactory.Server();
        f.setKeyStore(keys);
        f.setKeyStorePassword(new String(password));
        f.setKeyManagerPassword(new String(password));
        f.setTrustStore(trust);
        f.setWantClientAuth(true);
        f.setEndpointIdentificationAlgorithm(null);
        f.setIncludeProtocols(BridgeHttp.PROTOCOLS);
        f.setIncludeCipherSuites(CIPHERS);
        return f;
    }

    /**
     * The web console's TLS: the same server certificate as the API, no client certificate asked
     * for (operators sign in with a password).
     */
    javax.net.ssl.SSLContext consoleContext() throws GeneralSecurityException, IOException {
        char[] none = new char[0]; // an in-memory store: the password protects nothing
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("bridge", serverKey, none, serverChain.toArray(X509Certificate[]::new));
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, none);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, new java.security.SecureRandom());
        return ctx;
    }

    /**
     * Certifies a router's TLS client key (an EC P-256 public key, SubjectPublicKeyInfo DER) for its ID.
     *
     * @throws IllegalArgumentException if the key is not an EC P-256 public key
     */
    X509Certificate issueClientCertificate(String routerId, byte[] subjectPublicKeyInfo, Instant now) throws GeneralSecurityException {
        PublicKey key;
        try {
            key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(subjectPublicKeyInfo));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("clientPublicKey is not an EC public key (SubjectPublicKeyInfo, base64)");
        }
        if (!(key instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
            throw new IllegalArgumentException("clientPublicKey must be an EC P-256 key");
        }
        return Certificates.client(caKey, caCert, key, routerId, now);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
