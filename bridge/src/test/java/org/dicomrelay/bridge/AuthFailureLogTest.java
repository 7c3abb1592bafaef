package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failed authentications at the Bridge are logged at WARNING with the peer's address and the kind
 * of credential that failed, never the credential; a client stuck in a loop is one line (then a
 * periodic count), not one per request.
 */
class AuthFailureLogTest {

    @TempDir
    Path dir;

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger api = Logger.getLogger(BridgeApi.class.getName());
    private final Handler capture = new Handler() {
        @Override public void publish(LogRecord r) {
            records.add(r);
        }

        @Override public void flush() {}

        @Override public void close() {}
    };

    @BeforeEach
    void capture() {
        capture.setLevel(Level.ALL);
        api.addHandler(capture);
    }

    @AfterEach
    void release() {
        api.removeHandler(capture);
    }

    private List<String> warnings(String fragment) {
        return records.stream().filter(r -> r.getLevel() == Level.WARNING).map(LogRecord::getMessage)
                .filter(m -> m.startsWith("failed authentication") && m.contains(fragment)).toList();
    }

    @Test
    void everyKindOfRefusedCredentialIsLoggedWithThePeerAddressAndNeverTheCredential() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeCredentials a = bridge.enroll("a");
            String unknownKey = Secrets.newSecret(Secrets.API_KEY_PREFIX);
            String wrongAdmin = "admin-not-" + bridge.adminToken;
            String wrongEnrollment = Secrets.newSecret(Secrets.ENROLLMENT_TOKEN_PREFIX);
            var z = TestBridge.randomKeys("z"); // valid keys: the token is what is refused

            assertThat(bridge.call("GET", "/api/router/directory", unknownKey, null).statusCode()).isEqualTo(401);
            assertThat(bridge.call("GET", "/api/router/directory", null, null).statusCode()).isEqualTo(401);
            assertThat(bridge.call("GET", "/api/admin/routers", wrongAdmin, null).statusCode()).isEqualTo(401);
            assertThat(bridge.call("POST", "/api/enroll", null, "{\"token\":\"" + wrongEnrollment
                    + "\",\"routerId\":\"z\",\"publicKeys\":{\"hpke\":\"" + z.hpkePublicKeyBase64()
                    + "\",\"signature\":\"" + z.signaturePublicKeyBase64() + "\"}}").statusCode()).isEqualTo(401);
            bridge.admin("POST", "/api/admin/routers/a/revoke", null);
            assertThat(bridge.call("GET", "/api/router/inbox", a.apiKey(), null).statusCode()).isEqualTo(401);

            assertThat(warnings("(router API key): unknown API key")).singleElement().asString().contains("127.0.0.1", "GET /api/router/directory");
            assertThat(warnings("(router API key): none given")).singleElement().asString().contains("127.0.0.1");
            assertThat(warnings("(admin token): not the admin token")).singleElement().asString().contains("127.0.0.1", "/api/admin/routers");
            assertThat(warnings("(enrollment token): invalid enrollment token")).singleElement().asString().contains("127.0.0.1", "router z");
            assertThat(warnings("(router API key): API key of router a, which is revoked")).singleElement().asString()
                    .contains("127.0.0.1", "/api/router/inbox");

            String all = String.join("\n", records.stream().map(LogRecord::getMessage).toList());
            for (String secret : List.of(unknownKey, wrongAdmin, bridge.adminToken, wrongEnrollment, a.apiKey())) {
                assertThat(all).doesNotContain(secret);
            }
        }
    }

    @Test
    void aClientRetryingWithARevokedKeyIsOneLineNotOnePerRequest() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeCredentials a = bridge.enroll("a");
            bridge.admin("POST", "/api/admin/routers/a/revoke", null);
            for (int i = 0; i < 50; i++) {
                assertThat(bridge.call("GET", "/api/router/directory", a.apiKey(), null).statusCode()).isEqualTo(401);
            }
            // the period (a minute) has not passed: the first is logged, the 49 others are counted
            assertThat(BridgeApi.AUTH_FAILURE_LOG_PERIOD).isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(30));
            assertThat(warnings("router a, which is revoked")).hasSize(1);
        }
    }
}
