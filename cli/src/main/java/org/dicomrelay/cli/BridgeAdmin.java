package org.dicomrelay.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dicomrelay.bridge.BridgeConfig;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How the Bridge's administration commands reach its admin API: the Bridge's own configuration
 * (address and admin token, as the Bridge reads them), or {@code --bridge URL} with the token from
 * {@value BridgeConfig#ADMIN_TOKEN_ENV}. The token is never printed.
 */
final class BridgeAdmin {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--config", paramLabel = "bridge.yaml", description = "the Bridge's configuration: its address and admin token")
    Path config;

    @Option(names = "--bridge", paramLabel = "URL", description = "the Bridge's address (default: from --config); "
            + "without --config the admin token comes from the environment variable " + BridgeConfig.ADMIN_TOKEN_ENV)
    URI bridge;

    /** An answer of the admin API that was not a success, with the Bridge's reason. */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /** Sends one admin request; the answer's JSON on success, {@link Refused} with the Bridge's "error" otherwise. */
    JsonNode call(String method, String path, Object body) throws IOException, InterruptedException {
        String token;
        URI url = bridge;
        if (config != null) {
            BridgeConfig c = BridgeConfig.load(config);
            token = c.adminToken();
            if (url == null) url = URI.create("http://" + localAddress(c.bind()) + ":" + c.port());
        } else {
            token = System.getenv(BridgeConfig.ADMIN_TOKEN_ENV);
            if (url == null || token == null || token.isBlank()) {
                throw new Refused("give --config bridge.yaml, or --bridge URL with the admin token in " + BridgeConfig.ADMIN_TOKEN_ENV);
            }
        }
        String base = url.toString().replaceAll("/+$", "");
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token);
        if (body != null) r.header("Content-Type", "application/json");
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        HttpResponse<String> answer;
        try {
            answer = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build()
                    .send(r.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Refused("the Bridge at " + base + " is unreachable: " + org.dicomrelay.dicom.net.FailureText.of(e));
        }
        JsonNode n = answer.body() == null || answer.body().isBlank() ? JSON.createObjectNode() : parse(answer.body());
        if (answer.statusCode() / 100 != 2) {
            throw new Refused("the Bridge refused: " + n.path("error").asText("HTTP " + answer.statusCode()) + " (HTTP " + answer.statusCode() + ")");
        }
        return n;
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    /** A Bridge listening on every interface is reached on this machine's loopback. */
    private static String localAddress(String bind) {
        if (bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("[::]")) return "127.0.0.1";
        return bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind;
    }
}
