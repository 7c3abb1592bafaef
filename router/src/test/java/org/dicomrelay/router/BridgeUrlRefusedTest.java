package org.dicomrelay.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.dicomrelay.router.config.RouterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A router never sends its credentials in clear text across a network: plain http only to a loopback Bridge (issue 9, point 2). */
class BridgeUrlRefusedTest {
    @TempDir Path dir;

    private RouterConfig config() {
        return new RouterConfig("hospital-a", dir.resolve("state").toString(), "ROUTER_A", "127.0.0.1", 0, "http://10.0.0.1:8470",
                new RouterConfig.Cloud("filesystem", Map.of("root", dir.resolve("cloud").toString())), "spool", List.of());
    }

    @Test void enrollmentRefusesPlainHttpToAnotherHostBeforeCreatingKeys() {
        RouterConfig c = config();
        assertThatThrownBy(() -> RouterApp.enroll(c, URI.create("http://10.0.0.1:8470"), null, "dre_token"))
                .isInstanceOf(IOException.class).hasMessageContaining("refusing plain http to 10.0.0.1");
        assertThat(c.state()).doesNotExist();
    }

    @Test void startRefusesCredentialsForPlainHttpToAnotherHost() throws Exception {
        RouterConfig c = config();
        Files.createDirectories(c.state());
        RouterKeys.generate().save(RouterApp.keysDir(c));
        Files.write(RouterApp.credentialsFile(c), new ObjectMapper().writeValueAsBytes(
                new BridgeCredentials(URI.create("http://10.0.0.1:8470"), "hospital-a", "drk_key", new byte[] {1})));
        assertThatThrownBy(() -> RouterApp.start(c)).isInstanceOf(IOException.class)
                .hasMessageContaining("refusing plain http to 10.0.0.1").hasMessageContaining("nothing was sent");
    }
}
