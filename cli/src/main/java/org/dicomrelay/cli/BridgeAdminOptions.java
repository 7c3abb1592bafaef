package org.dicomrelay.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dicomrelay.bridge.BridgeConfig;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.tls.BridgeHttp;
import org.dicomrelay.relay.tls.FingerprintMismatchException;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;

/**
 * Where the Bridge is, how to trust it and the admin token, for the administration commands. The
 * token never comes from the command line (others can read it there): from the environment variable
 * or a file.
 */
final class BridgeAdminOptions {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--bridge", required = true, paramLabel = "URL", description = "the Bridge, e.g. https://bridge.example.org:8470")
    URI bridge;

    @Option(names = "--bridge-fingerprint", paramLabel = "SHA256",
            description = "SHA-256 fingerprint of the Bridge's TLS certificate (printed by 'dicom-relay bridge'); without it the JDK's CA certificates decide")
    String fingerprint;

    @Option(names = "--admin-token-file", paramLabel = "FILE", description = "a file holding the admin token (default: the environment variable "
            + BridgeConfig.ADMIN_TOKEN_ENV + ")")
    Path tokenFile;

    private String adminToken() throws IOException {
        String token = tokenFile != null ? Files.readString(tokenFile, StandardCharsets.UTF_8).strip() : System.getenv(BridgeConfig.ADMIN_TOKEN_ENV);
        if (token == null || token.isEmpty()) {
            throw new IOException("no admin token: set " + BridgeConfig.ADMIN_TOKEN_ENV + " or give --admin-token-file");
        }
        return token;
    }

    /** Calls an admin route; the answer's JSON, or IOException with the Bridge's error and status. */
    JsonNode call(String method, String path, Object body) throws IOException, GeneralSecurityException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(bridge.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken());
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        HttpResponse<String> r;
        try {
            r = BridgeHttp.newClient(bridge, fingerprint, null, Duration.ofSeconds(10)).send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            FingerprintMismatchException mismatch = FingerprintMismatchException.in(e);
            // the mismatch says it all (both fingerprints); the handshake failure around it would only repeat it
            if (mismatch != null) throw new IOException("the Bridge at " + bridge + " is not the pinned one: " + mismatch.getMessage());
            throw new IOException("the Bridge at " + bridge + " is unreachable: " + FailureText.of(e), e);
        }
        JsonNode answer;
        try {
            answer = r.body() == null || r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException notJson) {
            answer = JSON.createObjectNode(); // an error page of a proxy: the status says enough
        }
        if (r.statusCode() / 100 != 2) {
            throw new IOException("the Bridge refused: " + answer.path("error").asText("HTTP " + r.statusCode()) + " (HTTP " + r.statusCode() + ")");
        }
        return answer;
    }
}
