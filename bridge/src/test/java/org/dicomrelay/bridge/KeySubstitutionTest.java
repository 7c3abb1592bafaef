package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.bridge.BridgeException;
import org.dicomrelay.relay.bridge.Directory;
import org.dicomrelay.relay.bridge.RouterRecord;
import org.dicomrelay.relay.crypto.KeyRotation;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, "the Bridge can read everything": an active router's keys change only with a proof
 * signed by its current keys; the Bridge does not issue enrollment tokens for, nor enroll, an
 * active router (which replaced its keys with no proof of possession).
 */
class KeySubstitutionTest {

    @TempDir
    Path dir;

    @Test
    void noEnrollmentTokenNorEnrollmentForAnActiveRouter() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            String spare = bridge.enrollmentToken("b"); // issued before b enrolled
            bridge.enroll("b");
            HttpResponse<String> token = bridge.admin("POST", "/api/admin/enrollment-tokens", "{\"routerId\":\"b\"}");
            assertThat(token.statusCode()).isEqualTo(409);
            assertThat(TestBridge.json(token).get("error").asText()).contains("router b is enrolled and active");

            BridgeException refused = catchThrowableOfType(BridgeException.class,
                    () -> BridgeClient.enroll(bridge.url(), spare, TestBridge.randomKeys("b")));
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused).hasMessageContaining("router b is enrolled and active");
        }
    }

    /** A revoked router may come back under its ID, with new keys and a new key history (its peers must confirm them). */
    @Test
    void aRevokedRouterReEnrollsWithANewKeyHistory() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            RouterRecord first = a.directory().router("a").get().record();
            bridge.enroll("b");
            bridge.admin("POST", "/api/admin/routers/a/revoke", null);
            RouterRecord second = TestBridge.randomKeys("a");
            BridgeCredentials again = BridgeClient.enroll(bridge.url(), bridge.enrollmentToken("a"), second);
            Directory d = bridge.client(again).directory();
            assertThat(d.router("a").get().record()).isEqualTo(second).isNotEqualTo(first);
            assertThat(d.router("a").get().keyHistory()).singleElement().extracting(s -> s.keys().fingerprint())
                    .isEqualTo(new PublicKeys("a", second.hpkePublicKey(), second.signaturePublicKey()).fingerprint());
        }
    }

    @Test
    void keysRotateOnlyWithAProofSignedByTheCurrentKeys() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            RouterKeys k0 = RouterKeys.generate();
            PublicKeys p0 = k0.publicKeys("a");
            BridgeCredentials ca = BridgeClient.enroll(bridge.url(), bridge.enrollmentToken("a"), TestBridge.record(p0));
            BridgeClient a = bridge.client(ca);
            long before = a.directory().version();

            // an API key alone (or a proof by other keys) cannot substitute the keys
            PublicKeys forged = RouterKeys.generate().publicKeys("a");
            BridgeException refused = catchThrowableOfType(BridgeException.class,
                    () -> a.rotateKeys(TestBridge.record(forged), KeyRotation.sign(RouterKeys.generate(), forged)));
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused).hasMessageContaining("not signed by this router's current signature key");
            assertThat(a.directory().router("a").get().record()).isEqualTo(TestBridge.record(p0));

            RouterKeys k1 = RouterKeys.generate();
            PublicKeys p1 = k1.publicKeys("a");
            a.rotateKeys(TestBridge.record(p1), KeyRotation.sign(k0, p1));
            a.rotateKeys(TestBridge.record(p1), KeyRotation.sign(k0, p1)); // a retry after a crash: accepted, nothing changes
            PublicKeys p2 = RouterKeys.generate().publicKeys("a");
            a.rotateKeys(TestBridge.record(p2), KeyRotation.sign(k1, p2));

            Directory d = a.directory();
            assertThat(d.version()).isGreaterThan(before);
            assertThat(d.router("a").get().record()).isEqualTo(TestBridge.record(p2));
            List<KeyRotation.Step> history = d.router("a").get().keyHistory();
            assertThat(history).extracting(KeyRotation.Step::keys).containsExactly(p0, p1, p2);
            // a peer that pinned p0 follows the chain to p2
            assertThat(KeyRotation.follow(p0, history)).isEqualTo(p2);
        }
    }
}
