package org.dicomrelay.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.PublicKeySign;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.signature.PredefinedSignatureParameters;
import com.google.crypto.tink.signature.SignatureConfig;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.bridge.SignedDirectory;
import org.dicomrelay.relay.crypto.KeyRotation;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, point 3: a router does not depend on the Bridge being honest. Directories are served by
 * a stand-in Bridge on 127.0.0.1 that signs whatever the test tells it to (as a hostile Bridge can):
 * a peer's keys are pinned on first sight, a substitution is refused (logged with both
 * fingerprints, nothing sent to or accepted from the new keys) until an operator confirms it, a
 * rotation signed by the old keys is accepted, an older or expired directory is refused, and a
 * directory (so a provider assignment) not signed by the pinned Bridge key is refused.
 */
class DirectoryTrustTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path state;

    private final KeysetHandle bridgeKey;
    private final PublicKeySign bridgeSigner;
    private HttpServer server;
    private volatile byte[] answer;
    private final List<String> logs = new ArrayList<>();
    private final Logger jul = Logger.getLogger(DirectorySync.class.getName());
    private final Handler handler = new Handler() {
        @Override public void publish(LogRecord r) {
            synchronized (logs) {
                logs.add(r.getLevel() + " " + r.getMessage());
            }
        }
        @Override public void flush() {}
        @Override public void close() {}
    };

    private final Map<String, PublicKeys> keys = new ConcurrentHashMap<>();
    private final RoutingTable routes = new RoutingTable();
    private final PublicKeys self = RouterKeys.generate().publicKeys("hospital-a");
    private Instant now = Instant.parse("2026-12-05T00:00:00Z");
    private DirectorySync sync;
    private BridgeClient client;

    DirectoryTrustTest() throws Exception {
        SignatureConfig.register();
        bridgeKey = KeysetHandle.generateNew(PredefinedSignatureParameters.ED25519);
        bridgeSigner = bridgeKey.getPrimitive(RegistryConfiguration.get(), PublicKeySign.class);
    }

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/router/aes", ex -> respond(ex, "[]".getBytes(StandardCharsets.UTF_8)));
        server.createContext("/api/router/directory", ex -> respond(ex, answer));
        server.start();
        client = new BridgeClient(new BridgeCredentials(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "hospital-a",
                "key", TinkProtoKeysetFormat.serializeKeysetWithoutSecret(bridgeKey.getPublicKeysetHandle())));
        sync = newSync();
        jul.addHandler(handler);
    }

    @AfterEach
    void stop() {
        jul.removeHandler(handler);
        server.stop(0);
    }

    private DirectorySync newSync() throws Exception {
        RouterConfig config = new RouterConfig("hospital-a", state.toString(), "RELAY_A", "127.0.0.1", 0, "http://127.0.0.1", null, "spool", List.of());
        Clock clock = new Clock() {
            @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return now; }
        };
        return new DirectorySync(config, client, routes, keys, PeerAccess.matrix(config.routerId()), PeerPins.load(state), DirectoryFreshness.load(state), self, clock);
    }

    private static void respond(com.sun.net.httpserver.HttpExchange ex, byte[] body) throws java.io.IOException {
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    @Test
    void aSubstitutedKeyIsRefusedUntilTheOperatorConfirmsIt() throws Exception {
        PublicKeys genuine = RouterKeys.generate().publicKeys("hospital-b");
        serve(1, genuine, List.of(step(genuine, null)), bridgeSigner);
        assertThat(sync.run()).isTrue();
        assertThat(keys).containsEntry("hospital-b", genuine);
        assertThat(routes.route("PACS_B")).isPresent();
        assertThat(Files.getPosixFilePermissions(state.resolve(PeerPins.FILE))).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        // the Bridge publishes other keys for hospital-b, without a proof from the pinned ones
        PublicKeys substituted = RouterKeys.generate().publicKeys("hospital-b");
        serve(2, substituted, List.of(step(substituted, null)), bridgeSigner);
        assertThat(sync.run()).isTrue();
        assertThat(keys).as("nothing is sealed to, nor accepted from, hospital-b").doesNotContainKey("hospital-b");
        assertThat(routes.route("PACS_B")).as("still routed: stores wait in the spool").isPresent();
        assertThat(errors()).anyMatch(l -> l.contains("router hospital-b") && l.contains(substituted.fingerprint())
                && l.contains(genuine.fingerprint()) && l.contains("refused"));
        // the refusal survives a restart
        sync = newSync();
        assertThat(sync.run()).isTrue();
        assertThat(keys).doesNotContainKey("hospital-b");
        assertThat(RouterApp.peers(config())).singleElement().satisfies(p -> {
            assertThat(p.pinnedFingerprint()).isEqualTo(genuine.fingerprint());
            assertThat(p.pendingFingerprint()).isEqualTo(substituted.fingerprint());
        });

        // a confirmation of other keys changes nothing; the operator's confirmation of these does
        RouterApp.confirmPeer(config(), "hospital-b", RouterKeys.generate().publicKeys("hospital-b").fingerprint());
        sync.run();
        assertThat(keys).doesNotContainKey("hospital-b");
        RouterApp.confirmPeer(config(), "hospital-b", substituted.fingerprint());
        sync.run();
        assertThat(keys).containsEntry("hospital-b", substituted);
        assertThat(RouterApp.peers(config())).singleElement().satisfies(p -> assertThat(p.pendingFingerprint()).isNull());
    }

    @Test
    void aRotationSignedByTheOldKeysIsAcceptedEvenAcrossSeveral() throws Exception {
        RouterKeys k0 = RouterKeys.generate();
        PublicKeys p0 = k0.publicKeys("hospital-b");
        serve(1, p0, List.of(step(p0, null)), bridgeSigner);
        sync.run();
        RouterKeys k1 = RouterKeys.generate();
        PublicKeys p1 = k1.publicKeys("hospital-b");
        PublicKeys p2 = RouterKeys.generate().publicKeys("hospital-b");
        // router A missed the first rotation: it follows the chain p0 -> p1 -> p2
        serve(3, p2, List.of(step(p0, null), step(p1, KeyRotation.sign(k0, p1)), step(p2, KeyRotation.sign(k1, p2))), bridgeSigner);
        assertThat(sync.run()).isTrue();
        assertThat(keys).containsEntry("hospital-b", p2);
        assertThat(errors()).isEmpty();

        // a "rotation" whose proof is signed by other keys is a substitution
        PublicKeys p3 = RouterKeys.generate().publicKeys("hospital-b");
        serve(4, p3, List.of(step(p2, null), step(p3, KeyRotation.sign(RouterKeys.generate(), p3))), bridgeSigner);
        sync.run();
        assertThat(keys).doesNotContainKey("hospital-b");
        assertThat(errors()).anyMatch(l -> l.contains(p3.fingerprint()));
    }

    @Test
    void anOlderOrExpiredDirectoryIsRefusedAndTheLastGoodOneKept() throws Exception {
        PublicKeys b = RouterKeys.generate().publicKeys("hospital-b");
        serve(5, b, List.of(step(b, null)), bridgeSigner);
        assertThat(sync.run()).isTrue();

        // version 4 after 5: a replayed directory (e.g. from before a revocation)
        PublicKeys other = RouterKeys.generate().publicKeys("hospital-c");
        serveTwo(4, b, other);
        assertThat(sync.run()).isFalse();
        assertThat(errors()).anyMatch(l -> l.contains("directory version 4, older than version 5"));
        assertThat(keys).doesNotContainKey("hospital-c");
        // also after a restart: the version accepted is kept in the state folder
        sync = newSync();
        assertThat(sync.run()).isFalse();
        assertThat(Files.getPosixFilePermissions(state.resolve(DirectoryFreshness.FILE))).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        // version 6 is taken; served again 25 h later (valid 24 h), it is expired
        serveTwo(6, b, other);
        assertThat(sync.run()).isTrue();
        assertThat(keys).containsKey("hospital-c");
        now = now.plus(Duration.ofHours(25));
        assertThat(sync.run()).isFalse();
        assertThat(errors()).anyMatch(l -> l.contains("directory that expired at 2026-12-06T00:00:00Z"));
    }

    @Test
    void aDirectoryNotSignedByThePinnedBridgeKeyIsRefusedWithItsProviderAssignment() throws Exception {
        PublicKeys b = RouterKeys.generate().publicKeys("hospital-b");
        KeysetHandle otherBridge = KeysetHandle.generateNew(PredefinedSignatureParameters.ED25519);
        serve(1, b, List.of(step(b, null)), otherBridge.getPrimitive(RegistryConfiguration.get(), PublicKeySign.class));
        assertThat(sync.run()).isFalse();
        assertThat(sync.accepted()).isEmpty();
        assertThat(errors()).anyMatch(l -> l.contains("signature does not verify with the pinned Bridge key"));
        assertThat(keys).isEmpty();
        // signed by the pinned key: the assignment is taken
        serve(1, b, List.of(step(b, null)), bridgeSigner);
        assertThat(sync.run()).isTrue();
        assertThat(sync.accepted()).get().satisfies(d -> assertThat(d.router("hospital-a").get().provider()).isEqualTo("filesystem"));
    }

    // --- the stand-in Bridge ---

    private RouterConfig config() {
        return new RouterConfig("hospital-a", state.toString(), "RELAY_A", "127.0.0.1", 0, "http://127.0.0.1", null, "spool", List.of());
    }

    private record Step(PublicKeys keys, byte[] proof) {}

    private static Step step(PublicKeys k, byte[] proof) {
        return new Step(k, proof);
    }

    private void serve(long version, PublicKeys b, List<Step> history, PublicKeySign signer) throws Exception {
        ObjectNode d = document(version);
        addRouter(d, b, history);
        ((ArrayNode) d.get("aes")).addObject().put("aeTitle", "PACS_B").put("routerId", "hospital-b").putArray("services").add("store");
        // granted to hospital-a in the access matrix, so that only the keys decide whether it is routed
        d.putArray("access").addObject().put("routerId", "hospital-a").put("aeTitle", "PACS_B").put("owner", "hospital-b")
                .putArray("services").add("store");
        sign(d, signer);
    }

    private void serveTwo(long version, PublicKeys b, PublicKeys c) throws Exception {
        ObjectNode d = document(version);
        addRouter(d, b, List.of(step(b, null)));
        addRouter(d, c, List.of(step(c, null)));
        sign(d, bridgeSigner);
    }

    private ObjectNode document(long version) {
        ObjectNode d = JSON.createObjectNode();
        d.put("format", SignedDirectory.FORMAT).put("version", version).put("issuedAt", now.toString())
                .put("expiresAt", now.plus(Duration.ofHours(24)).toString());
        ArrayNode routers = d.putArray("routers");
        ObjectNode me = routers.addObject().put("routerId", "hospital-a");
        me.putObject("publicKeys").put("hpke", b64(self.hpkePublicKeyset())).put("signature", b64(self.signaturePublicKeyset()));
        me.putObject("provider").put("name", "filesystem").putObject("settings").put("root", "/srv");
        d.putArray("aes");
        return d;
    }

    private static void addRouter(ObjectNode d, PublicKeys k, List<Step> history) {
        ObjectNode r = ((ArrayNode) d.get("routers")).addObject().put("routerId", k.routerId());
        r.putObject("publicKeys").put("hpke", b64(k.hpkePublicKeyset())).put("signature", b64(k.signaturePublicKeyset()));
        ArrayNode h = r.putArray("keyHistory");
        for (Step s : history) {
            ObjectNode n = h.addObject().put("hpke", b64(s.keys().hpkePublicKeyset())).put("signature", b64(s.keys().signaturePublicKeyset()));
            if (s.proof() != null) n.put("proof", b64(s.proof()));
        }
        r.putNull("provider");
    }

    private void sign(ObjectNode d, PublicKeySign signer) throws Exception {
        byte[] doc = JSON.writeValueAsBytes(d);
        answer = JSON.writeValueAsBytes(JSON.createObjectNode().put("document", b64(doc))
                .put("signature", b64(signer.sign(SignedDirectory.signedBytes(doc)))));
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    private List<String> errors() {
        synchronized (logs) {
            return logs.stream().filter(l -> l.startsWith(Level.SEVERE.getName())).toList();
        }
    }
}
