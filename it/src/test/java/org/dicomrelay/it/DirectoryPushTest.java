package org.dicomrelay.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.dicomrelay.bridge.BridgeConfig;
import org.dicomrelay.bridge.BridgeServer;
import org.dicomrelay.bridge.BridgeTls;
import org.dicomrelay.router.RouterApp;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11, "the exporting router must start first or the other waits up to 10 s for its routing
 * table": router B starts before router A; A's exported AE title reaches B's routing table within
 * about a second of A's start (a long poll on the directory), and so does a grant made later.
 */
@Timeout(120)
class DirectoryPushTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ADMIN = "admin-directory-push-0123456789";
    /** Well under the 10 s of the old fixed-period sync, with room for a loaded machine. */
    private static final Duration PROMPTLY = Duration.ofSeconds(3);
    @TempDir Path work;

    private static void admin(URI bridge, String method, String path, Object body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(bridge.resolve(path)).header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    }

    private RouterApp enrollAndStart(URI bridge, String routerId, String aeTitle, List<Device> devices) throws Exception {
        RouterConfig c = new RouterConfig(routerId, work.resolve(routerId).toString(), aeTitle, "127.0.0.1", 0, bridge.toString(), null, "spool", devices);
        HttpResponse<String> t = HTTP.send(HttpRequest.newBuilder(bridge.resolve("/api/admin/enrollment-tokens")).header("Authorization", "Bearer " + ADMIN)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("routerId", routerId)))).build(), HttpResponse.BodyHandlers.ofString());
        RouterApp.enroll(c, bridge, JSON.readTree(t.body()).get("token").asText());
        return RouterApp.start(c);
    }

    @Test void anExportReachesARouterThatStartedFirstWithinASecondOrSo() throws Exception {
        try (BridgeServer bridge = BridgeServer.start(BridgeConfig.builder().bind("127.0.0.1").port(0).dataDir(work.resolve("bridge"))
                .adminToken(ADMIN).tls(BridgeTls.disabled()).build())) {
            URI url = bridge.url();
            try (RouterApp b = enrollAndStart(url, "hospital-b", "RELAY_B", List.of(new Device("WS_B", "127.0.0.1", 1, List.of(), List.of(), false)))) {
                // granted before its owner ever registered it (the matrix allows that): only A's export is missing
                admin(url, "PUT", "/api/admin/access", Map.of("routerId", "hospital-b", "aeTitle", "PACS_A", "services", List.of("echo")));
                assertThat(b.routes().route("PACS_A")).isEmpty();
                try (RouterApp a = enrollAndStart(url, "hospital-a", "RELAY_A", List.of(new Device("PACS_A", "127.0.0.1", 104, List.of("echo", "store"),
                        List.of(), true), new Device("CT_A", "127.0.0.1", 105, List.of("store"), List.of(), true)))) {
                    long exported = System.nanoTime();
                    await("PACS_A at router B").atMost(PROMPTLY).pollInterval(Duration.ofMillis(20))
                            .until(() -> b.routes().route("PACS_A").map(RoutingTable.Route::routerId).orElse("").equals("hospital-a"));
                    System.out.println("DirectoryPushTest: PACS_A reached router B " + Duration.ofNanos(System.nanoTime() - exported).toMillis()
                            + " ms after router A started");

                    admin(url, "PUT", "/api/admin/access", Map.of("routerId", "hospital-b", "aeTitle", "CT_A", "services", List.of("store")));
                    await("a later grant at router B").atMost(PROMPTLY).pollInterval(Duration.ofMillis(20))
                            .until(() -> b.routes().route("CT_A").isPresent());
                }
            }
        }
    }
}
