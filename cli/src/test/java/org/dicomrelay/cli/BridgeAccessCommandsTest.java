package org.dicomrelay.cli;

import org.dicomrelay.bridge.BridgeConfig;
import org.dicomrelay.bridge.BridgeServer;
import org.dicomrelay.relay.bridge.AeExport;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.RouterRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The administrator's access-matrix commands against a running Bridge ({@code bridge grant},
 * {@code revoke-access}, {@code access}, {@code release-ae}), reaching it through the Bridge's own
 * configuration: what they print, and exit 1 with the Bridge's reason when it refuses.
 */
class BridgeAccessCommandsTest {
    @TempDir Path dir;

    record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Public keys of the exact shapes the Bridge accepts at enrollment. */
    private static RouterRecord keys(String routerId) {
        var pk = org.dicomrelay.relay.crypto.RouterKeys.generate().publicKeys(routerId);
        return new RouterRecord(routerId, pk.hpkePublicKeyset(), pk.signaturePublicKeyset());
    }

    @Test void grantListRevokeAndRelease() throws Exception {
        String admin = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        Path yaml = dir.resolve("bridge.yaml");
        Files.writeString(yaml, "bind: 127.0.0.1\nport: 0\ndataDir: data\ntls:\n  enabled: false\nadminToken: " + admin + "\n");
        try (BridgeServer bridge = BridgeServer.start(BridgeConfig.load(yaml))) {
            URI url = URI.create("http://127.0.0.1:" + bridge.port());
            String config = yaml.toString(), at = url.toString();
            for (String id : List.of("hospital-a", "hospital-b")) {
                HttpResponse<String> t = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url.resolve("/api/admin/enrollment-tokens"))
                        .header("Authorization", "Bearer " + admin).POST(HttpRequest.BodyPublishers.ofString("{\"routerId\":\"" + id + "\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                String token = new com.fasterxml.jackson.databind.ObjectMapper().readTree(t.body()).get("token").asText();
                var creds = BridgeClient.enroll(url, token, keys(id));
                if (id.equals("hospital-b")) new BridgeClient(creds).publishAes(List.of(new AeExport("PACS_B", List.of("echo", "store", "find"))));
            }

            Run grant = run("bridge", "grant", "--config", config, "--bridge", at, "--router", "hospital-a", "--ae", "PACS_B", "--services", "store,find,echo");
            assertThat(grant.code()).as(grant.err()).isZero();
            assertThat(grant.out()).contains("hospital-a may use echo,find,store of PACS_B (owned by hospital-b)");

            Run list = run("bridge", "access", "--config", config, "--bridge", at);
            assertThat(list.code()).isZero();
            assertThat(list.out()).containsPattern("hospital-a +PACS_B +echo,find,store +owned by hospital-b").contains("1 grant(s)");
            assertThat(list.out() + list.err()).doesNotContain(admin);

            Run revoke = run("bridge", "revoke-access", "--config", config, "--bridge", at, "--router", "hospital-a", "--ae", "PACS_B", "--services", "store");
            assertThat(revoke.code()).isZero();
            assertThat(revoke.out()).contains("hospital-a may use echo,find of PACS_B");

            Run unknown = run("bridge", "grant", "--config", config, "--bridge", at, "--router", "hospital-z", "--ae", "PACS_B", "--services", "find");
            assertThat(unknown.code()).isEqualTo(1);
            assertThat(unknown.err()).contains("grant failed: the Bridge refused: no router hospital-z (enroll it first) (HTTP 404)");

            Run release = run("bridge", "release-ae", "--config", config, "--bridge", at, "--ae", "PACS_B");
            assertThat(release.code()).isEqualTo(1);
            assertThat(release.err()).contains("router hospital-b still exports PACS_B");
        }
    }
}
