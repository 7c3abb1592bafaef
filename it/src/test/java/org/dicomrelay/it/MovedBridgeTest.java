package org.dicomrelay.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.dicomrelay.bridge.BridgeConfig;
import org.dicomrelay.bridge.BridgeServer;
import org.dicomrelay.bridge.BridgeTls;
import org.dicomrelay.relay.tls.BridgeHttp;
import org.dicomrelay.relay.tls.CertificateFingerprint;
import org.dicomrelay.router.RouterApp;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Issue 11, "bridgeUrl in router.yaml is ignored after enrollment": the configured URL wins over
 * the one saved at enrollment, and the certificate pinned at enrollment is still required there.
 */
@Timeout(120)
class MovedBridgeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "admin-moved-bridge-0123456789";
    @TempDir Path work;

    private BridgeServer bridge(String name) throws IOException {
        return BridgeServer.start(BridgeConfig.builder().bind("127.0.0.1").port(0).dataDir(work.resolve(name)).adminToken(ADMIN)
                .tls(BridgeTls.selfSigned(List.of())).build());
    }

    private static String admin(BridgeServer b, String method, String path, Object body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(b.url().resolve(path)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + ADMIN);
        if (body != null) r.header("Content-Type", "application/json");
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        HttpResponse<String> a = BridgeHttp.newClient(b.url(), b.fingerprint().orElseThrow(), null, Duration.ofSeconds(10))
                .send(r.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(a.statusCode()).as(a.body()).isBetween(200, 299);
        return a.body();
    }

    private RouterConfig config(URI bridgeUrl) {
        return new RouterConfig("hospital-m", work.resolve("m").toString(), "RELAY_M", "127.0.0.1", 0, bridgeUrl.toString(), null, "spool",
                List.of(new Device("PACS_M", "127.0.0.1", 104, List.of("echo"), List.of(), true)));
    }

    @Test void theConfiguredUrlWinsAndTheBridgeMustStillPresentThePinnedCertificate() throws Exception {
        try (BridgeServer bridge = bridge("bridge"); BridgeServer other = bridge("other")) {
            String fingerprint = bridge.fingerprint().orElseThrow();
            URI enrolledAt;
            // enrolled through an address that is gone afterwards (the Bridge "moved" away from it)
            try (CuttingProxy old = new CuttingProxy(bridge.url(), "never", 0, 0)) {
                enrolledAt = URI.create("https://127.0.0.1:" + old.url().getPort());
                String token = JSON.readTree(admin(bridge, "POST", "/api/admin/enrollment-tokens", Map.of("routerId", "hospital-m"))).get("token").asText();
                RouterApp.enroll(config(enrolledAt), enrolledAt, fingerprint, token);
            }

            try (RouterApp router = RouterApp.start(config(bridge.url()))) {
                assertThat(router.port()).isPositive();
                assertThat(admin(bridge, "GET", "/api/admin/routers", null)).as("published through the configured URL").contains("PACS_M");
            }

            IOException refused = catchThrowableOfType(IOException.class, () -> RouterApp.start(config(other.url())));
            assertThat(refused.getMessage()).contains("bridgeUrl " + other.url()).contains("enrolled at " + enrolledAt)
                    .contains(CertificateFingerprint.normalize(fingerprint)).contains(CertificateFingerprint.normalize(other.fingerprint().orElseThrow()));
        }
    }
}
