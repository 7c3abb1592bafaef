package org.dicomrelay.bridge;

import org.dicomrelay.testkit.MovableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.bridge.BridgeException;
import org.dicomrelay.relay.bridge.RouterRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnrollmentTest {

    @TempDir
    Path dir;

    @Test
    void enrollmentHappyPath() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            HttpResponse<String> t = bridge.admin("POST", "/api/admin/enrollment-tokens", "{\"routerId\":\"hospital-a\",\"displayName\":\"Hospital A\"}");
            assertThat(t.statusCode()).isEqualTo(201);
            JsonNode tj = TestBridge.json(t);
            String token = tj.get("token").asText();
            Instant expires = Instant.parse(tj.get("expiresAt").asText());
            assertThat(expires).isBetween(Instant.now().plus(Duration.ofHours(23)), Instant.now().plus(Duration.ofHours(25)));

            RouterRecord keys = TestBridge.randomKeys("hospital-a");
            BridgeCredentials creds = BridgeClient.enroll(bridge.url(), token, keys);
            assertThat(creds.routerId()).isEqualTo("hospital-a");
            assertThat(creds.apiKey()).startsWith(Secrets.API_KEY_PREFIX);
            assertThat(creds.bridgePublicKeys()).isEqualTo(bridge.server.publicKeys());
            assertThat(creds.toString()).doesNotContain(creds.apiKey());

            // the API key works, and the directory vouches for exactly the keys the router sent
            var directory = bridge.client(creds).directory();
            assertThat(directory.router("hospital-a")).get().extracting(r -> r.record()).isEqualTo(keys);

            JsonNode routers = TestBridge.json(bridge.admin("GET", "/api/admin/routers", null)).get("routers");
            assertThat(routers).hasSize(1);
            assertThat(routers.get(0).get("routerId").asText()).isEqualTo("hospital-a");
            assertThat(routers.get(0).get("displayName").asText()).isEqualTo("Hospital A");
            assertThat(routers.get(0).get("status").asText()).isEqualTo("active");

            // only hashes are stored: neither the token nor the API key appears in any table
            assertThat(bridge.count("SELECT COUNT(*) FROM enrollment_tokens WHERE token_hash = '" + token + "'")).isZero();
            assertThat(bridge.count("SELECT COUNT(*) FROM enrollment_tokens WHERE token_hash = '" + Secrets.sha256Hex(token) + "'")).isOne();
            assertThat(bridge.count("SELECT COUNT(*) FROM routers WHERE api_key_hash = '" + Secrets.sha256Hex(creds.apiKey()) + "'")).isOne();
        }
    }

    @Test
    void tokenIsOneTime() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            String token = bridge.enrollmentToken("r1");
            BridgeClient.enroll(bridge.url(), token, TestBridge.randomKeys("r1"));

            BridgeException again = catchThrowableOfType(BridgeException.class,
                    () -> BridgeClient.enroll(bridge.url(), token, TestBridge.randomKeys("r1")));
            assertThat(again.status()).isEqualTo(409);
            assertThat(again).hasMessageContaining("already used");
        }
    }

    @Test
    void expiredTokenIsRefused() throws Exception {
        MovableClock clock = new MovableClock();
        try (TestBridge bridge = new TestBridge(dir, b -> b.enrollmentTokenTtl(Duration.ofHours(24)), clock)) {
            String token = bridge.enrollmentToken("r1");
            clock.advance(Duration.ofHours(24).plusSeconds(1));
            BridgeException e = catchThrowableOfType(BridgeException.class,
                    () -> BridgeClient.enroll(bridge.url(), token, TestBridge.randomKeys("r1")));
            assertThat(e.status()).isEqualTo(401);
            assertThat(e).hasMessageContaining("expired");
            // refused, not consumed-and-broken: a new token still works
            assertThat(BridgeClient.enroll(bridge.url(), bridge.enrollmentToken("r1"), TestBridge.randomKeys("r1")).routerId()).isEqualTo("r1");
        }
    }

    @Test
    void tokenIsBoundToItsRouterIdAndUnknownTokensAreRefused() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            String token = bridge.enrollmentToken("r1");
            BridgeException other = catchThrowableOfType(BridgeException.class,
                    () -> BridgeClient.enroll(bridge.url(), token, TestBridge.randomKeys("r2")));
            assertThat(other.status()).isEqualTo(401);
            BridgeException unknown = catchThrowableOfType(BridgeException.class,
                    () -> BridgeClient.enroll(bridge.url(), Secrets.newSecret(Secrets.ENROLLMENT_TOKEN_PREFIX), TestBridge.randomKeys("r1")));
            assertThat(unknown.status()).isEqualTo(401);
            // the mismatched attempt did not use the token up
            assertThat(BridgeClient.enroll(bridge.url(), token, TestBridge.randomKeys("r1")).routerId()).isEqualTo("r1");
        }
    }

    @Test
    void reEnrollmentOfARevokedRouterReplacesKeysAndApiKey() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeCredentials first = bridge.enroll("r1");
            bridge.admin("POST", "/api/admin/routers/r1/revoke", null);
            RouterRecord newKeys = TestBridge.randomKeys("r1");
            BridgeCredentials second = BridgeClient.enroll(bridge.url(), bridge.enrollmentToken("r1"), newKeys);
            assertThat(catchThrowableOfType(BridgeException.class, () -> bridge.client(first).directory()).status()).isEqualTo(401);
            assertThat(bridge.client(second).directory().router("r1")).get().extracting(r -> r.record()).isEqualTo(newKeys);
        }
    }

    @Test
    void malformedEnrollmentsAreBadRequests() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            String token = bridge.enrollmentToken("r1");
            assertThat(bridge.call("POST", "/api/enroll", null, "{not json").statusCode()).isEqualTo(400);
            assertThat(bridge.call("POST", "/api/enroll", null, "{\"token\":\"" + token + "\",\"routerId\":\"r1\"}").statusCode()).isEqualTo(400);
            HttpResponse<String> badKey = bridge.call("POST", "/api/enroll", null,
                    "{\"token\":\"" + token + "\",\"routerId\":\"r1\",\"publicKeys\":{\"hpke\":\"!!\",\"signature\":\"AAAA\"}}");
            assertThat(badKey.statusCode()).isEqualTo(400);
            assertThat(TestBridge.json(badKey).get("error").asText()).contains("base64");
            assertThat(bridge.admin("POST", "/api/admin/enrollment-tokens", "{\"routerId\":\"../etc\"}").statusCode()).isEqualTo(400);
            // none of that used the token
            assertThat(BridgeClient.enroll(bridge.url(), token, TestBridge.randomKeys("r1")).routerId()).isEqualTo("r1");
        }
    }

    @Test
    void adminEndpointsNeedTheAdminToken() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeCredentials router = bridge.enroll("r1");
            String[][] endpoints = {
                    {"POST", "/api/admin/enrollment-tokens", "{\"routerId\":\"r2\"}"},
                    {"GET", "/api/admin/routers", null},
                    {"POST", "/api/admin/routers/r1/revoke", null},
                    {"PUT", "/api/admin/routers/r1/provider", "{\"name\":\"filesystem\"}"},
            };
            for (String[] e : endpoints) {
                for (String bearer : new String[] {null, "wrong-admin-token-0123456789", router.apiKey(), bridge.adminToken + "x"}) {
                    HttpResponse<String> r = bridge.call(e[0], e[1], bearer, e[2]);
                    assertThat(r.statusCode()).as(e[0] + " " + e[1] + " with " + (bearer == null ? "no token" : "a wrong token")).isEqualTo(401);
                    assertThat(TestBridge.json(r).get("error").asText()).isEqualTo("admin token required");
                }
            }
            // nothing happened: the router is still active
            assertThat(bridge.client(router).directory().router("r1")).isPresent();
        }
    }

    @Test
    void routerEndpointsNeedAnApiKey() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            for (String bearer : new String[] {null, "drk_not-a-key", bridge.adminToken}) {
                HttpResponse<String> r = bridge.call("GET", "/api/router/directory", bearer, null);
                assertThat(r.statusCode()).isEqualTo(401);
                assertThat(TestBridge.json(r).has("error")).isTrue();
            }
        }
    }

    @Test
    void healthAndUnknownPathsAnswerJson() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            HttpResponse<String> h = bridge.call("GET", "/health", null, null);
            assertThat(h.statusCode()).isEqualTo(200);
            assertThat(TestBridge.json(h).get("status").asText()).isEqualTo("ok");
            HttpResponse<String> missing = bridge.call("GET", "/api/nothing-here", null, null);
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(TestBridge.json(missing).has("error")).isTrue();
        }
    }

    @Test
    void signingKeysetIsPrivateAndStable() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            Path keyset = dir.resolve(BridgeSigner.FILE_NAME);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyset))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).startsWith("rwx------");
            byte[] before = bridge.server.publicKeys();
            bridge.restart();
            assertThat(bridge.server.publicKeys()).isEqualTo(before);
        }
    }
}
