package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.dicomrelay.relay.bridge.AeConflictException;
import org.dicomrelay.relay.bridge.AeExport;
import org.dicomrelay.relay.bridge.AeRecord;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.bridge.Directory;
import org.dicomrelay.relay.bridge.DirectoryVerificationException;
import org.dicomrelay.relay.bridge.ProviderAssignment;
import org.dicomrelay.relay.bridge.SignedDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryTest {

    @TempDir
    Path dir;

    @TempDir
    Path otherDir;

    @Test
    void aesArePublishedReplacedAndListed() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            a.publishAes(List.of(new AeExport("A_PACS", List.of("store", "find", "move", "store")), new AeExport("A_ECHO", List.of("echo"))));
            Directory d1 = a.directory();
            assertThat(d1.aes()).extracting(AeRecord::aeTitle).containsExactly("A_ECHO", "A_PACS");
            assertThat(d1.ae("A_PACS")).get().isEqualTo(new AeRecord("A_PACS", "a", List.of("find", "move", "store")));

            a.publishAes(List.of(new AeExport("A_PACS", List.of("get"))));
            Directory d2 = a.directory();
            assertThat(d2.aes()).containsExactly(new AeRecord("A_PACS", "a", List.of("get")));
            assertThat(d2.version()).isGreaterThan(d1.version());

            JsonNode listed = TestBridge.json(bridge.admin("GET", "/api/admin/routers", null)).get("routers").get(0).get("aes");
            assertThat(listed.get(0).get("aeTitle").asText()).isEqualTo("A_PACS");

            a.publishAes(List.of());
            assertThat(a.directory().aes()).isEmpty();
        }
    }

    @Test
    void aeTitleBelongsToOneRouter() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            a.publishAes(List.of(new AeExport("PACS", List.of("store"))));

            AeConflictException conflict = catchThrowableOfType(AeConflictException.class,
                    () -> b.publishAes(List.of(new AeExport("B_OWN", List.of("echo")), new AeExport("PACS", List.of("find")))));
            assertThat(conflict.status()).isEqualTo(409);
            assertThat(conflict).hasMessageContaining("PACS").hasMessageContaining("router a");
            // which title, and whose: the router can publish the rest without it
            assertThat(conflict.conflicts()).containsExactly(new AeConflictException.Conflict("PACS", "a"));
            // all or nothing: B_OWN was not stored either
            assertThat(b.directory().aes()).containsExactly(new AeRecord("PACS", "a", List.of("store")));

            // the owner may republish it; revoked, it still owns it (AccessMatrixTest: until an administrator releases it)
            a.publishAes(List.of(new AeExport("PACS", List.of("store", "echo"))));
            bridge.admin("POST", "/api/admin/routers/a/revoke", null);
            assertThat(catchThrowableOfType(AeConflictException.class, () -> b.publishAes(List.of(new AeExport("PACS", List.of("find"))))))
                    .isNotNull();
            assertThat(bridge.admin("POST", "/api/admin/aes/release", "{\"aeTitle\":\"PACS\"}").statusCode()).isEqualTo(200);
            b.publishAes(List.of(new AeExport("PACS", List.of("find"))));
            assertThat(b.directory().ae("PACS")).get().extracting(AeRecord::routerId).isEqualTo("b");
        }
    }

    @Test
    void invalidAeListsAreBadRequests() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            String key = bridge.enroll("a").apiKey();
            String[] bodies = {
                    "{\"aeTitle\":\"X\"}",
                    "[{\"aeTitle\":\"WAY_TOO_LONG_AE_TITLE\",\"services\":[\"echo\"]}]",
                    "[{\"aeTitle\":\"BACK\\\\SLASH\",\"services\":[\"echo\"]}]",
                    "[{\"aeTitle\":\"X\",\"services\":[\"print\"]}]",
                    "[{\"aeTitle\":\"X\",\"services\":[]}]",
                    "[{\"aeTitle\":\"X\",\"services\":[\"echo\"]},{\"aeTitle\":\"X\",\"services\":[\"store\"]}]",
            };
            for (String body : bodies) {
                HttpResponse<String> r = bridge.call("PUT", "/api/router/aes", key, body);
                assertThat(r.statusCode()).as(body).isEqualTo(400);
                assertThat(TestBridge.json(r).get("error").asText()).isNotBlank();
            }
        }
    }

    /** Issue 9: the directory is one document signed as a whole, with a version and an expiry. */
    @Test
    void directoryIsSignedAsAWholeWithVersionAndExpiry() throws Exception {
        try (TestBridge bridge = new TestBridge(dir, c -> c.directoryValidity(Duration.ofHours(2)))) {
            BridgeCredentials ca = bridge.enroll("a");
            bridge.enroll("b");
            BridgeClient a = bridge.client(ca);
            a.publishAes(List.of(new AeExport("A_PACS", List.of("store"))));
            bridge.admin("PUT", "/api/admin/routers/b/provider", "{\"name\":\"filesystem\",\"settings\":{\"root\":\"/srv\"}}");

            Directory d = a.directory();
            assertThat(d.routers()).extracting(Directory.Router::routerId).containsExactly("a", "b");
            assertThat(d.router("b")).get().extracting(Directory.Router::provider).isEqualTo("filesystem");
            assertThat(d.router("b").get().assignment()).isEqualTo(new ProviderAssignment("filesystem", Map.of("root", "/srv")));
            assertThat(d.router("a")).get().extracting(Directory.Router::provider).isNull();
            assertThat(Duration.between(d.issuedAt(), d.expiresAt())).isEqualTo(Duration.ofHours(2));
            assertThat(d.issuedAt()).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
            // a fresh router's key history is its enrollment keys
            assertThat(d.router("a").get().keyHistory()).singleElement().satisfies(s -> assertThat(s.proof()).isNull());

            // the raw answer: the document's bytes and one signature over them, checkable with the pinned key
            JsonNode raw = TestBridge.json(bridge.call("GET", "/api/router/directory", ca.apiKey(), null));
            assertThat(raw.properties()).extracting(Map.Entry::getKey).containsExactlyInAnyOrder("document", "signature");
            byte[] document = Base64.getDecoder().decode(raw.get("document").asText());
            BridgeSigner signer = BridgeSigner.loadOrCreate(dir);
            assertThat(signer.verifies(Base64.getDecoder().decode(raw.get("signature").asText()), SignedDirectory.signedBytes(document))).isTrue();
            assertThat(TestBridge.JSON.readTree(document).get("version").asLong()).isEqualTo(d.version());
            assertThat(d.document().get("aes").get(0).get("aeTitle").asText()).isEqualTo("A_PACS");

            a.publishAes(List.of());
            assertThat(a.directory().version()).isGreaterThan(d.version());
        }
    }

    /** Any change to the signed bytes (a key swapped, an AE redirected) rejects the whole directory. */
    @Test
    void directoryAlteredInTransitIsRejectedWhole() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeCredentials ca = bridge.enroll("a");
            bridge.enroll("b");
            bridge.client(ca).publishAes(List.of(new AeExport("A_PACS", List.of("store"))));
            String genuine = bridge.call("GET", "/api/router/directory", ca.apiKey(), null).body();

            // control: the genuine answer passes through the proxy and verifies
            assertThat(throughProxy(ca, genuine, w -> {}).routers()).hasSize(2);

            String attackerKeys = Base64.getEncoder().encodeToString(TestBridge.randomKeys("b").hpkePublicKey());
            assertThat(catchThrowableOfType(DirectoryVerificationException.class, () -> throughProxy(ca, genuine, w -> editDocument(w,
                    d -> ((ObjectNode) find(d.get("routers"), "routerId", "b").get("publicKeys")).put("hpke", attackerKeys)))))
                    .hasMessageContaining("signature does not verify");
            assertThat(catchThrowableOfType(DirectoryVerificationException.class, () -> throughProxy(ca, genuine, w -> editDocument(w,
                    d -> ((ObjectNode) find(d.get("aes"), "aeTitle", "A_PACS")).put("routerId", "b")))))
                    .hasMessageContaining("signature does not verify");
            // per-record signatures of the old format are no longer accepted
            assertThat(catchThrowableOfType(java.io.IOException.class, () -> throughProxy(ca, genuine, w -> w.remove("document"))))
                    .hasMessageContaining("document");
        }
    }

    @Test
    void anotherBridgesKeyVerifiesNothing() throws Exception {
        try (TestBridge bridge = new TestBridge(dir); TestBridge other = new TestBridge(otherDir)) {
            BridgeCredentials ca = bridge.enroll("a");
            BridgeCredentials pinnedToOther = new BridgeCredentials(bridge.url(), "a", ca.apiKey(), other.server.publicKeys());
            assertThat(catchThrowableOfType(DirectoryVerificationException.class, () -> new BridgeClient(pinnedToOther).directory()))
                    .hasMessageContaining("signature does not verify with the pinned Bridge key");
        }
    }

    private static void editDocument(ObjectNode wire, Consumer<ObjectNode> edit) {
        try {
            ObjectNode d = (ObjectNode) TestBridge.JSON.readTree(Base64.getDecoder().decode(wire.get("document").asText()));
            edit.accept(d);
            wire.put("document", Base64.getEncoder().encodeToString(TestBridge.JSON.writeValueAsBytes(d)));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void providerAssignment() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            assertThat(a.provider()).isEmpty();

            HttpResponse<String> set = bridge.admin("PUT", "/api/admin/routers/a/provider",
                    "{\"name\":\"filesystem\",\"settings\":{\"root\":\"/srv/relay\",\"fsync\":true,\"parts\":4}}");
            assertThat(set.statusCode()).isEqualTo(200);
            assertThat(a.provider()).contains(new ProviderAssignment("filesystem", Map.of("root", "/srv/relay", "fsync", "true", "parts", "4")));

            // credentials never go through the Bridge
            HttpResponse<String> secret = bridge.admin("PUT", "/api/admin/routers/a/provider",
                    "{\"name\":\"s3\",\"settings\":{\"bucket\":\"x\",\"secretAccessKey\":\"abc\"}}");
            assertThat(secret.statusCode()).isEqualTo(400);
            assertThat(TestBridge.json(secret).get("error").asText()).contains("secretAccessKey");
            assertThat(bridge.admin("PUT", "/api/admin/routers/a/provider", "{\"name\":\"Bad Name\"}").statusCode()).isEqualTo(400);
            assertThat(bridge.admin("PUT", "/api/admin/routers/a/provider", "{\"name\":\"s3\",\"settings\":{\"n\":{\"x\":1}}}").statusCode()).isEqualTo(400);
            assertThat(bridge.admin("PUT", "/api/admin/routers/ghost/provider", "{\"name\":\"s3\"}").statusCode()).isEqualTo(404);
            assertThat(a.provider()).get().extracting(ProviderAssignment::name).isEqualTo("filesystem");
        }
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) if (value.equals(n.path(field).asText())) return n;
        throw new AssertionError("no " + field + " " + value);
    }

    /** Serves a (possibly altered) copy of a genuine directory answer from a stand-in on 127.0.0.1. */
    private static Directory throughProxy(BridgeCredentials creds, String genuine, Consumer<ObjectNode> tamper) throws Exception {
        ObjectNode doc = (ObjectNode) TestBridge.JSON.readTree(genuine);
        tamper.accept(doc);
        byte[] body = TestBridge.JSON.writeValueAsString(doc).getBytes(StandardCharsets.UTF_8);
        HttpServer proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.createContext("/api/router/directory", ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        proxy.start();
        try {
            URI url = URI.create("http://127.0.0.1:" + proxy.getAddress().getPort());
            return new BridgeClient(creds.withBridgeUrl(url)).directory();
        } finally {
            proxy.stop(0);
        }
    }
}
