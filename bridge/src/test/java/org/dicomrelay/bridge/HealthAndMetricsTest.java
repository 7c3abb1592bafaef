package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: liveness and readiness for an orchestrator (ready = the database answers; the plain
 * {@code /health} of earlier versions stays), and {@code /metrics} in Prometheus text whose
 * counters move with the traffic and whose labels are route patterns and router IDs, never a
 * token or an ID from a path.
 */
class HealthAndMetricsTest {
    @TempDir Path dir;

    @Test void liveReadyAndTheOldHealthAnswer() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            for (String path : new String[] {"/health", "/health/live", "/health/ready"}) {
                HttpResponse<String> r = bridge.call("GET", path, null, null);
                assertThat(r.statusCode()).as(path).isEqualTo(200);
                assertThat(r.body()).as(path).contains("\"ok\"");
            }
        }
    }

    @Test void readinessFailsWhenTheDatabaseIsGone() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            bridge.server.database().close();
            assertThat(bridge.call("GET", "/health/ready", null, null).statusCode()).isEqualTo(503);
            assertThat(bridge.call("GET", "/health/live", null, null).statusCode()).isEqualTo(200);
        }
    }

    @Test void metricsCountRequestsEnrollmentsInboxDepthAndRefusals() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            assertThat(bridge.call("GET", "/metrics", null, null).statusCode()).as("metrics need the admin token").isEqualTo(401);
            BridgeCredentials a = bridge.enroll("hospital-a");
            BridgeCredentials b = bridge.enroll("hospital-b");
            BridgeClient clientA = bridge.client(a);
            clientA.publish("hospital-b", new byte[] {1, 2, 3});
            clientA.publish("hospital-b", new byte[] {4});
            clientA.directory();
            bridge.call("GET", "/api/router/directory", "not-a-key", null);

            // a request is counted as its answer is logged, just after it is sent: the last one may lag
            String pattern = "method=\"POST\",route=\"/api/router/inbox/{recipientRouterId}\",status=\"201\"";
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> value(bridge.admin("GET", "/metrics", null).body(),
                    "bridge_http_requests_seconds_count", pattern) == 2);
            HttpResponse<String> r = bridge.admin("GET", "/metrics", null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            String text = r.body();
            assertThat(value(text, "bridge_enrollments_total", "")).isEqualTo(2);
            assertThat(value(text, "bridge_inbox_depth", "router=\"hospital-b\"")).isEqualTo(2);
            assertThat(value(text, "bridge_inbox_depth", "router=\"hospital-a\"")).isZero();
            assertThat(text).as("a latency histogram").contains("bridge_http_requests_seconds_bucket{");
            assertThat(value(text, "bridge_auth_failures_total", "credential=\"router API key\"")).isEqualTo(1);
            assertThat(text).doesNotContain(a.apiKey()).doesNotContain(b.apiKey()).doesNotContain("not-a-key");
        }
    }

    /** The value of the one sample of {@code name} whose labels contain {@code labels}. */
    private static long value(String text, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{.*\\})? ([0-9.eE+-]+)$").matcher(text);
        while (m.find()) {
            if (m.group(1) == null ? labels.isEmpty() : m.group(1).contains(labels)) return (long) Double.parseDouble(m.group(2));
        }
        throw new AssertionError("no sample " + name + "{" + labels + "} in\n" + text);
    }
}
