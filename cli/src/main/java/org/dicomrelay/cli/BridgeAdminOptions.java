package org.dicomrelay.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dicomrelay.bridge.BridgeConfig;
import org.dicomrelay.bridge.BridgeServer;
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
 * Where the Bridge is, how to trust it and the admin token, for the administration commands: the
 * Bridge's own configuration (address, admin token and the certificate it presents, as the Bridge
 * reads them, on the Bridge's host), or {@code --bridge URL} with {@code --bridge-fingerprint}. The
 * token never comes from the command line (others can read it there): from the configuration, the
 * environment variable or a file.
 */
final class BridgeAdminOptions {
    /** Made on first use: picocli instantiates every command's options at start-up, and a mapper takes tens of ms to set up. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    @Option(names = "--config", paramLabel = "bridge.yaml", description = "the Bridge's configuration: its address, admin token and certificate")
    Path config;

    @Option(names = "--bridge", paramLabel = "URL", description = "the Bridge, e.g. https://bridge.example.org:8470 (default: from --config)")
    URI bridge;

    @Option(names = "--bridge-fingerprint", paramLabel = "SHA256",
            description = "SHA-256 fingerprint of the Bridge's TLS certificate (printed by 'dicom-relay bridge'); without it the JDK's CA certificates decide")
    String fingerprint;

    @Option(names = "--admin-token-file", paramLabel = "FILE", description = "a file holding the admin token (default: the environment variable "
            + BridgeConfig.ADMIN_TOKEN_ENV + ")")
    Path tokenFile;

    /** An answer of the admin API that was not a success, with the Bridge's reason. */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }

        Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private String adminToken(BridgeConfig c) throws IOException {
        if (c != null && tokenFile == null) return c.adminToken();
        String token = tokenFile != null ? Files.readString(tokenFile, StandardCharsets.UTF_8).strip() : System.getenv(BridgeConfig.ADMIN_TOKEN_ENV);
        if (token == null || token.isEmpty()) {
            throw new Refused("no admin token: give --config bridge.yaml, set " + BridgeConfig.ADMIN_TOKEN_ENV + " or give --admin-token-file");
        }
        return token;
    }

    /** Where the Bridge is and the fingerprint pinned for it (null: the JDK's CA certificates decide). */
    record Target(URI url, String fingerprint) {}

    /** The Bridge these options name: {@code --bridge}/{@code --bridge-fingerprint}, else from {@code --config}. */
    Target target() throws IOException {
        return target(config == null ? null : BridgeConfig.load(config));
    }

    private Target target(BridgeConfig c) throws IOException {
        URI url = bridge;
        String pin = fingerprint;
        if (c != null) {
            if (url == null) url = BridgeServer.url(c);
            if (pin == null && c.tls().enabled()) pin = BridgeServer.fingerprint(c);
        }
        if (url == null) throw new Refused("give --config bridge.yaml, or --bridge URL (with --bridge-fingerprint)");
        return new Target(url, pin);
    }

    /** Calls an admin route; the answer's JSON, or IOException with the Bridge's error and status. */
    JsonNode call(String method, String path, Object body) throws IOException, GeneralSecurityException, InterruptedException {
        BridgeConfig c = config == null ? null : BridgeConfig.load(config);
        Target target = target(c);
        URI bridge = target.url();
        String pin = target.fingerprint();
        String base = bridge.toString().replaceAll("/+$", "");
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken(c));
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
        HttpResponse<String> r;
        try {
            r = BridgeHttp.newClient(bridge, pin, null, Duration.ofSeconds(10)).send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            FingerprintMismatchException mismatch = FingerprintMismatchException.in(e);
            // the mismatch says it all (both fingerprints); the handshake failure around it would only repeat it
            if (mismatch != null) throw new Refused("the Bridge at " + bridge + " is not the pinned one: " + mismatch.getMessage());
            throw new Refused("the Bridge at " + bridge + " is unreachable: " + FailureText.of(e), e);
        }
        JsonNode answer;
        try {
            answer = r.body() == null || r.body().isEmpty() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(r.body());
        } catch (IOException notJson) {
            answer = Json.MAPPER.createObjectNode(); // an error page of a proxy: the status says enough
        }
        if (r.statusCode() / 100 != 2) {
            throw new Refused("the Bridge refused: " + answer.path("error").asText("HTTP " + r.statusCode()) + " (HTTP " + r.statusCode() + ")");
        }
        return answer;
    }
}
