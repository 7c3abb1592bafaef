package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, "a new user cannot find how to get an enrollment token": the administrator lists the
 * unused tokens (never the secret again) and cancels one, which then cannot enroll.
 */
class EnrollmentTokenAdminTest {
    @TempDir Path dir;

    @Test void unusedTokensAreListedWithoutTheSecretAndACancelledOneCannotEnroll() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            HttpResponse<String> created = bridge.admin("POST", "/api/admin/enrollment-tokens",
                    "{\"routerId\":\"hospital-a\",\"label\":\"new router at A\",\"ttlSeconds\":3600}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode c = TestBridge.json(created);
            String token = c.get("token").asText(), id = c.get("id").asText();
            assertThat(Instant.parse(c.get("expiresAt").asText())).isBefore(Instant.now().plus(Duration.ofMinutes(61)));
            String used = bridge.enrollmentToken("hospital-b");
            BridgeClient.enroll(bridge.url(), used, TestBridge.randomKeys("hospital-b"));

            HttpResponse<String> list = bridge.admin("GET", "/api/admin/enrollment-tokens", null);
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body()).doesNotContain(token).doesNotContain(used);
            JsonNode tokens = TestBridge.json(list).get("tokens");
            assertThat(tokens).as("the used token is not listed").hasSize(1);
            assertThat(tokens.get(0).get("id").asText()).isEqualTo(id);
            assertThat(tokens.get(0).get("routerId").asText()).isEqualTo("hospital-a");
            assertThat(tokens.get(0).get("label").asText()).isEqualTo("new router at A");

            HttpResponse<String> cancel = bridge.admin("DELETE", "/api/admin/enrollment-tokens/" + id, null);
            assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
            assertThat(TestBridge.json(bridge.admin("GET", "/api/admin/enrollment-tokens", null)).get("tokens")).isEmpty();
            assertThat(bridge.admin("DELETE", "/api/admin/enrollment-tokens/" + id, null).statusCode()).as("cancelled twice").isEqualTo(409);
            assertThat(bridge.admin("DELETE", "/api/admin/enrollment-tokens/0123456789abcdef", null).statusCode()).isEqualTo(404);

            BridgeException refused = catchThrowableOfType(BridgeException.class,
                    () -> BridgeClient.enroll(bridge.url(), token, TestBridge.randomKeys("hospital-a")));
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.getMessage()).contains("cancelled");
        }
    }

    @Test void listingAndCancellingNeedTheAdminToken() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            assertThat(bridge.call("GET", "/api/admin/enrollment-tokens", null, null).statusCode()).isEqualTo(401);
            assertThat(bridge.call("DELETE", "/api/admin/enrollment-tokens/0123456789abcdef", "wrong", null).statusCode()).isEqualTo(401);
        }
    }

    @Test void aTtlOutsideOneMinuteToThirtyDaysIsRefused() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            for (String ttl : new String[] {"59", "2592001", "\"1h\"", "1.5"}) {
                HttpResponse<String> r = bridge.admin("POST", "/api/admin/enrollment-tokens", "{\"routerId\":\"hospital-a\",\"ttlSeconds\":" + ttl + "}");
                assertThat(r.statusCode()).as(ttl).isEqualTo(400);
                assertThat(r.body()).contains("ttlSeconds");
            }
        }
    }
}
