package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.bridge.RouterRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies of the router-facing calls, read as the shared API records: a malformed one is answered
 * 400 with a message that names the field (never quoting the body: it carries tokens), and changes
 * nothing. A body of the previous version's shape, with a field a later version might add, is taken.
 */
class ApiBodyValidationTest {

    @TempDir
    Path dir;

    @Test
    void enrollRefusesWrongTypesNamingTheField() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            String token = bridge.enrollmentToken("hospital-a");
            RouterRecord keys = TestBridge.randomKeys("hospital-a");
            String publicKeys = "{\"hpke\":\"" + keys.hpkePublicKeyBase64() + "\",\"signature\":\"" + keys.signaturePublicKeyBase64() + "\"}";

            assertError(bridge.call("POST", "/api/enroll", null, "{\"token\":\"" + token + "\",\"routerId\":5,\"publicKeys\":" + publicKeys + "}"),
                    "'routerId' has the wrong JSON type");
            assertError(bridge.call("POST", "/api/enroll", null, "{\"token\":\"" + token + "\",\"routerId\":\"hospital-a\",\"publicKeys\":\"x\"}"),
                    "'publicKeys' has the wrong JSON type");
            assertError(bridge.call("POST", "/api/enroll", null, "{\"token\":\"" + token + "\",\"routerId\":\"hospital-a\"}"),
                    "publicKeys {hpke, signature} is missing");
            assertError(bridge.call("POST", "/api/enroll", null, "{\"token\":\"" + token + "\",\"routerId\":\"hospital-a\",\"publicKeys\":"
                    + "{\"hpke\":\"not base64!\",\"signature\":\"" + keys.signaturePublicKeyBase64() + "\"}}"), "'hpke' is not valid base64");
            HttpResponse<String> quoted = bridge.call("POST", "/api/enroll", null, "{\"token\":[\"" + token + "\"]}");
            assertError(quoted, "'token' has the wrong JSON type");
            assertThat(quoted.body()).doesNotContain(token);
            assertError(bridge.call("POST", "/api/enroll", null, "[]"), "expected an object {token, routerId, publicKeys, clientPublicKey}");

            // none of that used the token: the previous version's body, plus a field from a later one, enrolls
            HttpResponse<String> ok = bridge.call("POST", "/api/enroll", null, "{\"token\":\"" + token + "\",\"routerId\":\"hospital-a\","
                    + "\"publicKeys\":" + publicKeys + ",\"comesLater\":1}");
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
            assertThat(TestBridge.json(ok).fieldNames()).toIterable().containsExactly("routerId", "apiKey", "bridgePublicKeys");
        }
    }

    @Test
    void aeExportsRefusedWithTheReasonAndNothingChanges() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeCredentials a = bridge.enroll("hospital-a");
            assertThat(bridge.call("PUT", "/api/router/aes", a.apiKey(), "[{\"aeTitle\":\"PACS_A\",\"services\":[\"store\"]}]").statusCode())
                    .isEqualTo(200);

            assertError(bridge.call("PUT", "/api/router/aes", a.apiKey(), "{\"aeTitle\":\"PACS_B\"}"), "expected an array of {aeTitle, services}");
            assertError(bridge.call("PUT", "/api/router/aes", a.apiKey(), "[null]"), "expected an array of {aeTitle, services}");
            assertError(bridge.call("PUT", "/api/router/aes", a.apiKey(), "[{\"aeTitle\":\"PACS_B\",\"services\":[\"print\"]}]"),
                    "unknown service 'print'; allowed: echo, store, find, move, get");
            assertError(bridge.call("PUT", "/api/router/aes", a.apiKey(), "[{\"aeTitle\":\"PACS_B\",\"services\":\"store\"}]"),
                    "'[0].services' has the wrong JSON type");
            assertError(bridge.call("PUT", "/api/router/aes", a.apiKey(), "[{\"aeTitle\":\"PACS_B\",\"services\":[\"store\"]},"
                    + "{\"aeTitle\":\"PACS_B\",\"services\":[\"find\"]}]"), "AE title PACS_B is listed twice");
            assertThat(bridge.count("SELECT COUNT(*) FROM router_aes WHERE ae_title = 'PACS_A'")).isOne();
            assertThat(bridge.count("SELECT COUNT(*) FROM router_aes")).isOne();

            HttpResponse<String> ok = bridge.call("PUT", "/api/router/aes", a.apiKey(), "[{\"aeTitle\":\"PACS_B\",\"services\":[\"store\",\"find\"]}]");
            assertThat(ok.body()).isEqualTo("{\"aes\":[{\"aeTitle\":\"PACS_B\",\"services\":[\"find\",\"store\"]}]}");
        }
    }

    @Test
    void providerSettingsMustBeScalarsAndNeverCredentials() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            bridge.enroll("hospital-a");
            String path = "/api/admin/routers/hospital-a/provider";
            assertError(bridge.admin("PUT", path, "{\"name\":\"s3\",\"settings\":{\"region\":{\"nested\":1}}}"),
                    "setting 'region' must be a string, number or boolean");
            assertError(bridge.admin("PUT", path, "{\"name\":\"s3\",\"settings\":{\"region\":null}}"),
                    "setting 'region' must be a string, number or boolean");
            assertError(bridge.admin("PUT", path, "{\"name\":\"s3\",\"settings\":{\"secretKey\":\"x\"}}"),
                    "setting 'secretKey' looks like a credential: credentials stay in the router's own configuration");
            assertError(bridge.admin("PUT", path, "{\"name\":\"s3\",\"settings\":[1]}"), "'settings' has the wrong JSON type");
            assertError(bridge.admin("PUT", path, "{\"settings\":{}}"), "'name' (a string) is missing");
            assertThat(bridge.count("SELECT COUNT(*) FROM routers WHERE provider_name IS NOT NULL")).isZero();

            HttpResponse<String> ok = bridge.admin("PUT", path, "{\"name\":\"s3\",\"settings\":{\"bucket\":\"relay\",\"parts\":4,\"pathStyle\":true}}");
            assertThat(ok.body()).isEqualTo("{\"routerId\":\"hospital-a\",\"name\":\"s3\",\"settings\":{\"bucket\":\"relay\",\"parts\":\"4\",\"pathStyle\":\"true\"}}");
        }
    }

    private static void assertError(HttpResponse<String> r, String message) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(TestBridge.json(r).get("error").asText()).isEqualTo(message);
    }
}
