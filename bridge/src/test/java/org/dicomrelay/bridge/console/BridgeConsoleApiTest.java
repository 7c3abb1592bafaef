package org.dicomrelay.bridge.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dicomrelay.bridge.BridgeConfig;
import org.dicomrelay.bridge.BridgeConsoleListener;
import org.dicomrelay.bridge.BridgeServer;
import org.dicomrelay.bridge.BridgeTls;
import org.dicomrelay.console.Accounts;
import org.dicomrelay.console.AuditLog;
import org.dicomrelay.console.ConsoleServer;
import org.dicomrelay.console.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Bridge console's JSON API without a browser: the admin API's own handlers behind the
 * console's session, CSRF token and role (one implementation: a token created on the console is
 * listed, and cancelled, through the admin token's API), every change audited with its user.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one Bridge and one pair of accounts: Argon2id is slow on purpose
@Timeout(120)
class BridgeConsoleApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_TOKEN = "admin-token-0123456789";
    @TempDir static Path work;
    private BridgeServer bridge;
    private URI console;
    private final HttpClient http = HttpClient.newHttpClient();

    private record Session(String cookie, String csrf) {}

    @BeforeAll void start() throws Exception {
        Path data = work.resolve("bridge");
        Files.createDirectories(data);
        Accounts accounts = Accounts.in(data);
        accounts.create("alice", Role.ADMIN, "alice-password".toCharArray());
        accounts.create("victor", Role.VIEWER, "victor-password".toCharArray());
        bridge = BridgeServer.start(BridgeConfig.builder().bind("127.0.0.1").port(0).dataDir(data).adminToken(ADMIN_TOKEN)
                .tls(BridgeTls.disabled()).console(new BridgeConsoleListener("127.0.0.1", 0)).build());
        console = bridge.consoleUrl().orElseThrow();
    }

    @AfterAll void stop() {
        if (bridge != null) bridge.close();
    }

    private Session signIn(String user, String password) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(console.resolve("/api/session")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(java.util.Map.of("user", user, "password", password)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String c = r.headers().firstValue("Set-Cookie").orElseThrow();
        return new Session(c.substring(0, c.indexOf(';')), JSON.readTree(r.body()).get("csrfToken").asText());
    }

    private HttpResponse<String> call(Session s, String method, String path, Object body, boolean withCsrf) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(console.resolve(path)).header("Cookie", s.cookie()).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (withCsrf) b.header(ConsoleServer.CSRF_HEADER, s.csrf());
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> adminApi(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(bridge.url().resolve(path)).header("Authorization", "Bearer " + ADMIN_TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test void aTokenCreatedOnTheConsoleIsTheAdminApisTokenAndTheChangeIsAuditedWithItsUser() throws Exception {
        Session alice = signIn("alice", "alice-password");
        HttpResponse<String> created = call(alice, "POST", "/api/admin/enrollment-tokens", java.util.Map.of("routerId", "hospital-c"), true);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode t = JSON.readTree(created.body());
        assertThat(t.get("token").asText()).isNotBlank();
        // the admin API (the CLI's) lists the same token: one store, one implementation
        JsonNode listed = JSON.readTree(adminApi("GET", "/api/admin/enrollment-tokens").body());
        assertThat(listed.get("tokens").findValuesAsText("id")).contains(t.get("id").asText());
        // the console lists it too, never with the secret
        String consoleList = call(alice, "GET", "/api/admin/enrollment-tokens", null, false).body();
        assertThat(consoleList).contains(t.get("id").asText()).doesNotContain(t.get("token").asText());
        HttpResponse<String> cancelled = call(alice, "DELETE", "/api/admin/enrollment-tokens/" + t.get("id").asText(), null, true);
        assertThat(cancelled.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(adminApi("GET", "/api/admin/enrollment-tokens").body()).get("tokens").findValuesAsText("id"))
                .doesNotContain(t.get("id").asText());
        String audit = Files.readString(work.resolve("bridge").resolve(AuditLog.FILE));
        assertThat(audit).contains("user=alice action=POST /api/admin/enrollment-tokens target=/api/admin/enrollment-tokens outcome=HTTP 201")
                .contains("user=alice action=DELETE /api/admin/enrollment-tokens/{id}");
        assertThat(audit).doesNotContain(t.get("token").asText());
        assertThat(Files.getPosixFilePermissions(work.resolve("bridge").resolve(AuditLog.FILE)))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    @Test void theAdminApisRefusalReachesThePageWithItsReason() throws Exception {
        Session alice = signIn("alice", "alice-password");
        HttpResponse<String> r = call(alice, "POST", "/api/admin/routers/nobody/revoke", null, true);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(r.body()).get("error").asText()).contains("nobody");
        HttpResponse<String> bad = call(alice, "PUT", "/api/admin/access", java.util.Map.of("routerId", "hospital-a", "aeTitle", "PACS\\B",
                "services", java.util.List.of("store")), true);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(Files.readString(work.resolve("bridge").resolve(AuditLog.FILE))).contains("user=alice action=PUT /api/admin/access").contains("refused:");
    }

    @Test void aViewerReadsButCannotChangeAndNoChangeWithoutTheCsrfToken() throws Exception {
        Session victor = signIn("victor", "victor-password");
        assertThat(call(victor, "GET", "/api/admin/routers", null, false).statusCode()).isEqualTo(200);
        assertThat(call(victor, "POST", "/api/admin/enrollment-tokens", java.util.Map.of("routerId", "hospital-v"), true).statusCode()).isEqualTo(403);
        Session alice = signIn("alice", "alice-password");
        HttpResponse<String> noCsrf = call(alice, "POST", "/api/admin/enrollment-tokens", java.util.Map.of("routerId", "hospital-v"), false);
        assertThat(noCsrf.statusCode()).isEqualTo(403);
        assertThat(adminApi("GET", "/api/admin/enrollment-tokens").body()).doesNotContain("hospital-v");
        // no session: nothing, not even a read; the admin token is not a console credential
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(console.resolve("/api/admin/routers"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    @Test void theConsoleServesHttpsWithTheBridgesOwnCertificateWhenTheBridgeDoes() throws Exception {
        try (BridgeServer https = BridgeServer.start(BridgeConfig.builder().bind("127.0.0.1").port(0).dataDir(work.resolve("tls-bridge"))
                .adminToken(ADMIN_TOKEN).console(new BridgeConsoleListener("127.0.0.1", 0)).build())) {
            URI u = https.consoleUrl().orElseThrow();
            assertThat(u.getScheme()).isEqualTo("https");
            javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
            java.security.cert.X509Certificate[][] seen = new java.security.cert.X509Certificate[1][];
            trustAll.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}
                public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) { seen[0] = c; }
                public java.security.cert.X509Certificate[] getAcceptedIssuers() { return new java.security.cert.X509Certificate[0]; }
            }}, null);
            HttpResponse<String> page = HttpClient.newBuilder().sslContext(trustAll).build().send(HttpRequest.newBuilder(u).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("dicom-relay Bridge console");
            assertThat(org.dicomrelay.relay.tls.CertificateFingerprint.of(seen[0][0])).isEqualTo(https.fingerprint().orElseThrow());
        }
    }
}
