package org.dicomrelay.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.dicomrelay.relay.tls.BridgeHttp;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The administrator's calls the bench needs (enrollment tokens, access grants), over the
 * client the routers use: HTTPS pinned to the Bridge's certificate fingerprint, or plain HTTP
 * to a Bridge on loopback (fingerprint null).
 */
final class BridgeAdmin {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI bridge;
    private final String adminToken;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    BridgeAdmin(URI bridge, String fingerprint, String adminToken) throws IOException {
        this.bridge = bridge;
        this.adminToken = adminToken;
        try {
            http = BridgeHttp.newClient(bridge, fingerprint, null, TIMEOUT);
        } catch (GeneralSecurityException e) {
            throw new IOException("no HTTPS client for the Bridge " + bridge + ": " + org.dicomrelay.dicom.net.FailureText.of(e), e);
        }
    }

    /** A one-time enrollment token for {@code routerId}. */
    String enrollmentToken(String routerId) throws IOException, InterruptedException {
        String body = send("POST", "/api/admin/enrollment-tokens", Map.of("routerId", routerId, "displayName", routerId), "an enrollment token");
        return json.readTree(body).get("token").asText();
    }

    /** Lets {@code routerId} use these services of the exported {@code aeTitle} (the access matrix grants nothing by default). */
    void grant(String routerId, String aeTitle, String... services) throws IOException, InterruptedException {
        send("PUT", "/api/admin/access", Map.of("routerId", routerId, "aeTitle", aeTitle, "services", List.of(services)), "an access grant");
    }

    /** Requests the Bridge answered so far, per method and route ({@code /metrics}: the Prometheus counts of bridge.http.requests). */
    Map<String, Long> requestCounts() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(bridge.resolve("/metrics")).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + adminToken).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("the Bridge refused its metrics: HTTP " + r.statusCode());
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("bridge_http_requests_seconds_count\\{(.*)\\} ([0-9.E+]+)");
        java.util.regex.Pattern label = java.util.regex.Pattern.compile("(method|route)=\"([^\"]*)\"");
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (String l : r.body().split("\n")) {
            java.util.regex.Matcher m = line.matcher(l);
            if (!m.matches()) continue;
            String method = "", route = "";
            for (java.util.regex.Matcher f = label.matcher(m.group(1)); f.find(); ) {
                if (f.group(1).equals("method")) method = f.group(2);
                else route = f.group(2);
            }
            counts.merge(method + " " + route, (long) Double.parseDouble(m.group(2)), Long::sum);
        }
        return counts;
    }

    private String send(String method, String path, Object body, String what) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(bridge.resolve(path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) throw new IOException("the Bridge refused " + what + ": HTTP " + r.statusCode() + " " + r.body());
        return r.body();
    }
}
