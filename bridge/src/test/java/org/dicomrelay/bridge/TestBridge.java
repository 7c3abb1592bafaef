package org.dicomrelay.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.UnaryOperator;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.bridge.RouterRecord;
import org.dicomrelay.relay.tls.BridgeHttp;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;

/**
 * A Bridge on 127.0.0.1 with a free port and an H2 file in a temporary folder, plus raw HTTP helpers.
 * Plain HTTP unless the tweak says {@link #HTTPS}; then the helpers pin its certificate.
 */
final class TestBridge implements AutoCloseable {
    /** HTTPS with the certificate the Bridge creates for itself. */
    static final UnaryOperator<BridgeConfig.Builder> HTTPS = b -> b.tls(BridgeTls.selfSigned(java.util.List.of()));

    static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    final String adminToken = "admin-" + HexFormat.of().formatHex(randomBytes(16));
    final BridgeConfig config;
    private final Clock clock;
    BridgeServer server;

    TestBridge(Path dir) throws IOException {
        this(dir, b -> b, Clock.systemUTC());
    }

    TestBridge(Path dir, UnaryOperator<BridgeConfig.Builder> tweak) throws IOException {
        this(dir, tweak, Clock.systemUTC());
    }

    TestBridge(Path dir, UnaryOperator<BridgeConfig.Builder> tweak, Clock clock) throws IOException {
        this.config = tweak.apply(BridgeConfig.builder().bind("127.0.0.1").port(0).dataDir(dir).adminToken(adminToken)
                .tls(BridgeTls.disabled())).build();
        this.clock = clock;
        this.server = BridgeServer.start(config, clock);
    }

    URI url() {
        return server.url();
    }

    /** The Bridge certificate's SHA-256 fingerprint; null on plain HTTP. */
    String fingerprint() {
        return server.fingerprint().orElse(null);
    }

    /** Plain HTTP, or HTTPS trusting exactly this Bridge's certificate, without a client certificate. */
    HttpClient http() {
        if (!server.https()) return HTTP;
        try {
            return BridgeHttp.newClient(url(), fingerprint(), null, Duration.ofSeconds(10));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    void restart() throws IOException {
        server.close();
        server = BridgeServer.start(config, clock);
    }

    @Override
    public void close() {
        server.close();
    }

    HttpResponse<String> call(String method, String path, String bearer, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(url().resolve(path)).timeout(Duration.ofSeconds(30));
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> admin(String method, String path, String body) throws IOException, InterruptedException {
        return call(method, path, adminToken, body);
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    /** A fresh one-time enrollment token for a router ID. */
    String enrollmentToken(String routerId) throws IOException, InterruptedException {
        HttpResponse<String> r = admin("POST", "/api/admin/enrollment-tokens",
                "{\"routerId\":\"" + routerId + "\",\"displayName\":\"Router " + routerId + "\"}");
        if (r.statusCode() != 201) throw new IllegalStateException("token: " + r.statusCode() + " " + r.body());
        return json(r).get("token").asText();
    }

    /** Fresh public keys of the shapes the Bridge accepts (Tink HPKE and Ed25519 public keysets). */
    static RouterRecord randomKeys(String routerId) {
        return record(RouterKeys.generate().publicKeys(routerId));
    }

    /** The record the Bridge is given for these public keys. */
    static RouterRecord record(PublicKeys p) {
        return new RouterRecord(p.routerId(), p.hpkePublicKeyset(), p.signaturePublicKeyset());
    }

    /** Enrolls a router with fresh public keys. */
    BridgeCredentials enroll(String routerId) throws IOException, InterruptedException {
        return BridgeClient.enroll(url(), fingerprint(), enrollmentToken(routerId), randomKeys(routerId));
    }

    BridgeClient client(BridgeCredentials c) {
        try {
            return new BridgeClient(c.withBridgeUrl(url()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    int sql(String update) {
        return server.database().jdbi().withHandle(h -> h.execute(update));
    }

    long count(String query) {
        return server.database().jdbi().withHandle(h -> h.createQuery(query).mapTo(Long.class).one());
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
