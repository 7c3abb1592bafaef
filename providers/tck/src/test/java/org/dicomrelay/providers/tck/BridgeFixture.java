package org.dicomrelay.providers.tck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.dicomrelay.bridge.BridgeConfig;
import org.dicomrelay.bridge.BridgeServer;
import org.dicomrelay.bridge.BridgeTls;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.bridge.RouterRecord;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;

/**
 * A real Bridge in this JVM on 127.0.0.1 (plain HTTP on loopback), its database in memory so that
 * tests can count what its inboxes still hold, and routers enrolled at it on demand.
 */
final class BridgeFixture implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final Path dataDir;
    private final String jdbcUrl = "jdbc:h2:mem:tck-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"; // the Bridge connects as sa, no password;
    private final String adminToken = "admin-" + UUID.randomUUID();
    private final BridgeServer bridge;

    BridgeFixture(Path dataDir, Duration visibilityTimeout) throws IOException {
        this.dataDir = dataDir;
        bridge = BridgeServer.start(BridgeConfig.builder().bind("127.0.0.1").port(0).dataDir(dataDir).jdbcUrl(jdbcUrl)
                .adminToken(adminToken).tls(BridgeTls.disabled()).visibilityTimeout(visibilityTimeout).build());
    }

    /** Enrolls {@code routerId} and returns its credentials. */
    BridgeCredentials enroll(String routerId) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(bridge.url().resolve("/api/admin/enrollment-tokens")).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("routerId", routerId, "displayName", routerId)))).build();
        HttpResponse<String> answer = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() / 100 != 2) throw new IOException("enrollment token for " + routerId + ": HTTP " + answer.statusCode());
        JsonNode n = JSON.readTree(answer.body());
        PublicKeys pk = RouterKeys.generate().publicKeys(routerId);
        return BridgeClient.enroll(bridge.url(), n.get("token").asText(), new RouterRecord(routerId, pk.hpkePublicKeyset(), pk.signaturePublicKeyset()));
    }

    BridgeClient client(String routerId) throws Exception {
        return new BridgeClient(enroll(routerId));
    }

    /** A client of an enrolled router pointed at a closed port. */
    BridgeClient unreachableClient(String routerId) throws Exception {
        return new BridgeClient(enroll(routerId).withBridgeUrl(URI.create("http://127.0.0.1:1")));
    }

    long inboxMessages(String routerId) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "sa", "");
             PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM inbox_messages WHERE recipient_id = ?")) {
            s.setString(1, routerId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Override
    public void close() {
        bridge.close();
    }
}
