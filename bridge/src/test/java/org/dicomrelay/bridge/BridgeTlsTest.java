package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.dicomrelay.relay.bridge.AeExport;
import org.dicomrelay.relay.bridge.BridgeAuthException;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.bridge.BridgeUnreachableException;
import org.dicomrelay.relay.tls.BridgeHttp;
import org.dicomrelay.relay.tls.CertificateFingerprint;
import org.dicomrelay.relay.tls.ClientIdentity;
import org.dicomrelay.relay.tls.InsecureBridgeUrlException;
import org.dicomrelay.relay.tls.PinnedTrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Bridge over HTTPS (issue 9, point 2): its own certificate pinned by SHA-256 fingerprint,
 * or PEM files; routers authenticated by the TLS client certificate issued at enrollment plus
 * their API key; plain HTTP only on loopback, on both sides.
 */
class BridgeTlsTest {

    @TempDir
    Path dir;

    @Test
    void selfCreatedCertificateIsKeptAcrossRestartsWithItsKeyOwnerOnly() throws Exception {
        try (TestBridge bridge = new TestBridge(dir, TestBridge.HTTPS)) {
            String first = bridge.fingerprint();
            assertThat(first).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
            assertThat(bridge.url().getScheme()).isEqualTo("https");
            // the certificate it serves is the one whose fingerprint it prints
            assertThat(bridge.call("GET", "/health", null, null).statusCode()).isEqualTo(200);
            Path tls = dir.resolve(TlsMaterial.FOLDER);
            for (String key : List.of(TlsMaterial.SERVER_KEY, TlsMaterial.CA_KEY)) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve(key)))).isEqualTo("rw-------");
            }
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls))).isEqualTo("rwx------");
            X509Certificate cert = Certificates.readCertificates(tls.resolve(TlsMaterial.SERVER_CERT)).get(0);
            assertThat(cert.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList()).contains("localhost", "127.0.0.1");

            bridge.restart();
            assertThat(bridge.fingerprint()).isEqualTo(first);
            assertThat(BridgeServer.fingerprint(bridge.config)).isEqualTo(first);
            // names added to the configuration later do not replace the certificate routers pinned
            BridgeConfig renamed = BridgeConfig.builder().bind("127.0.0.1").dataDir(dir).adminToken(bridge.adminToken)
                    .tls(BridgeTls.selfSigned(List.of("bridge.example.org"))).build();
            assertThat(BridgeServer.fingerprint(renamed)).isEqualTo(first);
            assertThat(bridge.call("GET", "/health", null, null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void onlyTheBcp195ProfilesOfPs3_15AnnexBAreNegotiated() throws Exception {
        try (TestBridge bridge = new TestBridge(dir, TestBridge.HTTPS)) {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new PinnedTrustManager(bridge.fingerprint())}, null);
            try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", bridge.server.port())) {
                s.setEnabledProtocols(new String[] {"TLSv1.2"});
                s.startHandshake();
                assertThat(s.getSession().getCipherSuite()).matches("TLS_ECDHE_ECDSA_WITH_(AES_\\d+_GCM_SHA\\d+|CHACHA20_POLY1305_SHA256)");
            }
            // TLS 1.2 with a CBC cipher (no AEAD): refused in the handshake
            try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", bridge.server.port())) {
                s.setEnabledProtocols(new String[] {"TLSv1.2"});
                s.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"});
                assertThatThrownBy(s::startHandshake).isInstanceOf(SSLHandshakeException.class);
            }
            try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", bridge.server.port())) {
                s.setEnabledProtocols(new String[] {"TLSv1.3"});
                s.startHandshake();
                assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
            }
        }
    }

    @Test
    void pemFilesGivenInTheConfigurationAreServed() throws Exception {
        KeyPair kp = ClientIdentity.newKeyPair();
        X509Certificate cert = Certificates.selfSignedServer(kp, List.of("bridge.example.org", "127.0.0.1"), Instant.now());
        Path certFile = dir.resolve("bridge.pem"), keyFile = dir.resolve("bridge.key");
        Files.write(certFile, Certificates.pem(cert));
        Files.write(keyFile, Certificates.pem(kp.getPrivate()));
        Path yaml = dir.resolve("bridge.yaml");
        Files.writeString(yaml, "bind: 127.0.0.1\nport: 0\ndataDir: data\nadminToken: admin-token-0123456789\n"
                + "tls:\n  certificate: bridge.pem\n  privateKey: bridge.key\n");
        try (BridgeServer server = BridgeServer.start(BridgeConfig.load(yaml))) {
            assertThat(server.fingerprint()).contains(CertificateFingerprint.of(cert));
            HttpClient pinned = BridgeHttp.newClient(server.url(), CertificateFingerprint.of(cert), null, Duration.ofSeconds(10));
            HttpResponse<String> health = pinned.send(HttpRequest.newBuilder(server.url().resolve("/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void enrolledRouterWorksOverMutualTls() throws Exception {
        try (TestBridge bridge = new TestBridge(dir, TestBridge.HTTPS)) {
            BridgeCredentials a = bridge.enroll("a");
            assertThat(a.bridgeFingerprint()).isEqualTo(bridge.fingerprint());
            assertThat(a.clientIdentity().certificate().getSubjectX500Principal().getName()).contains("CN=a");
            assertThat(a.toString()).doesNotContain(a.clientKey()).doesNotContain(a.apiKey());
            BridgeClient client = bridge.client(a);
            client.publishAes(List.of(new AeExport("A_PACS", List.of("store"))));
            assertThat(client.directory().aes()).extracting(ae -> ae.aeTitle()).containsExactly("A_PACS");
        }
    }

    @Test
    void enrollmentRefusesAnotherCertificateThanThePinnedOneBeforeSendingTheToken() throws Exception {
        try (TestBridge bridge = new TestBridge(dir, TestBridge.HTTPS)) {
            String token = bridge.enrollmentToken("a");
            String wrong = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
            BridgeUnreachableException e = catchThrowableOfType(BridgeUnreachableException.class,
                    () -> BridgeClient.enroll(bridge.url(), wrong, token, TestBridge.randomKeys("a")));
            assertThat(e).hasMessageContaining("not the pinned one").hasMessageContaining(wrong).hasMessageContaining(bridge.fingerprint());
            // nothing reached the Bridge: the token is still unused
            assertThat(BridgeClient.enroll(bridge.url(), bridge.fingerprint(), token, TestBridge.randomKeys("a")).routerId()).isEqualTo("a");
        }
    }

    @Test
    void plainHttpToAnotherHostIsRefusedBeforeConnecting() throws Exception {
        // 10.0.0.1 is never contacted: the refusal comes before any client or socket exists
        URI remote = URI.create("http://10.0.0.1:8470");
        IOException e = catchThrowableOfType(IOException.class,
                () -> BridgeClient.enroll(remote, null, "dre_token", TestBridge.randomKeys("a")));
        assertThat(e).hasMessageContaining("refusing plain http to 10.0.0.1").hasCauseInstanceOf(InsecureBridgeUrlException.class);
        BridgeCredentials creds = new BridgeCredentials(remote, "a", "drk_key", new byte[] {1});
        assertThatThrownBy(() -> new BridgeClient(creds)).isInstanceOf(InsecureBridgeUrlException.class);
        // loopback is fine for plain http
        BridgeHttp.requireSafe(URI.create("http://127.0.0.1:1"));
        BridgeHttp.requireSafe(URI.create("http://[::1]:1"));
        assertThatThrownBy(() -> BridgeHttp.requireSafe(URI.create("http://localhost.example.org:1"))).isInstanceOf(InsecureBridgeUrlException.class);
    }

    @Test
    void routerRoutesNeedTheClientCertificateOfTheSameRouter() throws Exception {
        try (TestBridge bridge = new TestBridge(dir, TestBridge.HTTPS)) {
            BridgeCredentials a = bridge.enroll("a");
            BridgeCredentials b = bridge.enroll("b");
            // the API key alone (TLS pinned, no client certificate): refused
            HttpResponse<String> keyOnly = bridge.call("GET", "/api/router/directory", a.apiKey(), null);
            assertThat(keyOnly.statusCode()).isEqualTo(401);
            assertThat(keyOnly.body()).contains("client certificate required");
            // router b's certificate with router a's API key: refused
            BridgeCredentials mixed = withCertificateOf(a, b);
            BridgeAuthException e = catchThrowableOfType(BridgeAuthException.class, () -> bridge.client(mixed).directory());
            assertThat(e.status()).isEqualTo(401);
            assertThat(e).hasMessageContaining("not this router's");
            // each with its own: works
            assertThat(bridge.client(a).directory().routers()).hasSize(2);
            assertThat(bridge.client(b).directory().routers()).hasSize(2);
        }
    }

    @Test
    void reEnrollmentAfterRevocationMakesTheOldCertificateUseless() throws Exception {
        try (TestBridge bridge = new TestBridge(dir, TestBridge.HTTPS)) {
            BridgeCredentials first = bridge.enroll("a");
            assertThat(bridge.admin("POST", "/api/admin/routers/a/revoke", null).statusCode()).isEqualTo(200);
            BridgeCredentials second = bridge.enroll("a");
            BridgeCredentials oldCertNewKey = withCertificateOf(second, first);
            assertThat(catchThrowableOfType(BridgeAuthException.class, () -> bridge.client(oldCertNewKey).directory()).status()).isEqualTo(401);
            assertThat(bridge.client(second).directory().routers()).hasSize(1);
        }
    }

    @Test
    void revokedRoutersCertificateIsRefused() throws Exception {
        try (TestBridge bridge = new TestBridge(dir, TestBridge.HTTPS)) {
            BridgeCredentials a = bridge.enroll("a");
            bridge.enroll("b");
            assertThat(bridge.client(a).directory().routers()).hasSize(2);
            assertThat(bridge.admin("POST", "/api/admin/routers/a/revoke", null).statusCode()).isEqualTo(200);
            assertThat(catchThrowableOfType(BridgeAuthException.class, () -> bridge.client(a).directory()).status()).isEqualTo(401);
        }
    }

    @Test
    void aCertificateFromAnotherBridgeIsRefusedInTheHandshake() throws Exception {
        try (TestBridge bridge = new TestBridge(dir.resolve("one"), TestBridge.HTTPS);
             TestBridge other = new TestBridge(dir.resolve("two"), TestBridge.HTTPS)) {
            BridgeCredentials a = bridge.enroll("a");
            BridgeCredentials foreign = other.enroll("a");
            BridgeCredentials withForeignCert = withCertificateOf(a, foreign);
            IOException e = catchThrowableOfType(IOException.class, () -> bridge.client(withForeignCert).directory());
            assertThat(e).isNotInstanceOf(BridgeAuthException.class);
            assertThat(causes(e)).anyMatch(t -> t instanceof SSLHandshakeException || String.valueOf(t.getMessage()).contains("certificate"));
        }
    }

    /** Blob bodies go on blocking sockets of their own (not the HttpClient's): the same pin, client certificate and API key hold there. */
    @Test
    void blobPartsAndDownloadsNeedThePinnedBridgeAndTheRoutersOwnCertificate() throws Exception {
        try (TestBridge bridge = new TestBridge(dir.resolve("one"), TestBridge.HTTPS);
             TestBridge other = new TestBridge(dir.resolve("two"), TestBridge.HTTPS)) {
            BridgeCredentials a = bridge.enroll("a");
            BridgeCredentials b = bridge.enroll("b");
            byte[] data = TestBridge.randomBytes(3 * 1024 * 1024 + 5);
            String name = org.dicomrelay.relay.cloud.BlobNames.random();
            try (BridgeClient sender = bridge.client(a)) {
                org.dicomrelay.relay.cloud.BlobStore store = new org.dicomrelay.relay.cloud.bridge.BridgeBlobStore(sender, 1024 * 1024, 3);
                try (java.io.OutputStream up = store.create(name, "b")) {
                    up.write(data);
                }
            }
            try (BridgeClient recipient = bridge.client(b); java.io.InputStream in = recipient.openBlob(name)) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
            // router a's certificate with router b's API key: refused by the Bridge
            BridgeCredentials mixed = withCertificateOf(b, a);
            assertThat(catchThrowableOfType(BridgeAuthException.class, () -> bridge.client(mixed).openBlob(name)).status()).isEqualTo(401);
            // a certificate another Bridge issued: refused in the handshake, before any HTTP
            BridgeCredentials foreign = other.enroll("b");
            BridgeCredentials foreignCert = withCertificateOf(b, foreign);
            IOException handshake = catchThrowableOfType(IOException.class, () -> bridge.client(foreignCert).openBlob(name));
            assertThat(handshake).isNotInstanceOf(BridgeAuthException.class);
            // another Bridge's fingerprint pinned: this one is not trusted, and the part is never sent
            BridgeCredentials wrongPin = new BridgeCredentials(a.bridgeUrl(), "a", a.apiKey(), a.bridgePublicKeys(), other.fingerprint(),
                    a.clientCertificate(), a.clientKey());
            java.util.concurrent.ExecutionException part = catchThrowableOfType(java.util.concurrent.ExecutionException.class,
                    () -> bridge.client(wrongPin).putBlobPart(new org.dicomrelay.relay.cloud.BlobPart(
                            org.dicomrelay.relay.cloud.BlobNames.random(), "b", 0, 0, new byte[10], 10, true)).get());
            assertThat(part.getCause()).isInstanceOf(org.dicomrelay.relay.bridge.BridgeUnreachableException.class)
                    .hasMessageContaining("not the pinned one");
            try (BridgeClient recipient = bridge.client(b); java.io.InputStream in = recipient.openBlob(name)) {
                assertThat(in.readAllBytes()).as("still there, unchanged").isEqualTo(data);
            }
        }
    }

    @Test
    void plainHttpIsRefusedOnANonLoopbackAddress() throws Exception {
        assertThatThrownBy(() -> BridgeConfig.builder().bind("0.0.0.0").adminToken("admin-token-0123456789").tls(BridgeTls.disabled()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only on a loopback address");
        Path yaml = dir.resolve("bridge.yaml");
        Files.writeString(yaml, "bind: 192.0.2.1\nadminToken: admin-token-0123456789\ntls:\n  enabled: false\n");
        assertThatThrownBy(() -> BridgeConfig.load(yaml)).isInstanceOf(IOException.class).hasMessageContaining("only on a loopback address");
        Files.writeString(yaml, "bind: 127.0.0.1\nadminToken: admin-token-0123456789\ntls:\n  certificat: x.pem\n");
        assertThatThrownBy(() -> BridgeConfig.load(yaml)).isInstanceOf(IOException.class).hasMessageContaining("unknown setting 'tls.certificat'");
        Files.writeString(yaml, "bind: 127.0.0.1\nadminToken: admin-token-0123456789\ntls:\n  certificate: x.pem\n");
        assertThatThrownBy(() -> BridgeConfig.load(yaml)).isInstanceOf(IOException.class).hasMessageContaining("go together");
        // loopback: allowed
        assertThat(BridgeConfig.builder().bind("127.0.0.1").adminToken("admin-token-0123456789").tls(BridgeTls.disabled()).build().tls().enabled())
                .isFalse();
    }

    /** {@code c}'s credentials presenting {@code holder}'s client certificate and key. */
    private static BridgeCredentials withCertificateOf(BridgeCredentials c, BridgeCredentials holder) {
        return new BridgeCredentials(c.bridgeUrl(), c.routerId(), c.apiKey(), c.bridgePublicKeys(), c.bridgeFingerprint(),
                holder.clientCertificate(), holder.clientKey());
    }

    private static List<Throwable> causes(Throwable e) {
        List<Throwable> out = new java.util.ArrayList<>();
        for (Throwable t = e; t != null && out.size() < 20; t = t.getCause()) out.add(t);
        return out;
    }
}
