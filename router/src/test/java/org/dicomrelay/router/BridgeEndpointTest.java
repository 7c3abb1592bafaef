package org.dicomrelay.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dicomrelay.router.config.RouterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bridgeUrl} naming the instances of one Bridge (issue 12: two instances on one database serve the same routers). */
class BridgeEndpointTest {
    @TempDir Path work;

    private RouterConfig config(String bridgeUrl) throws IOException {
        Path yaml = work.resolve("router.yaml");
        Files.writeString(yaml, "routerId: hospital-a\nstateDir: state\naeTitle: ROUTER_A\nport: 11112\nbridgeUrl: \"" + bridgeUrl + "\"\n");
        return RouterConfig.load(yaml);
    }

    @Test void theInstancesAfterTheFirstAreStandbysInTheirOrder() throws Exception {
        assertThat(BridgeEndpoint.standbys(config("https://bridge-1.example:8443, https://bridge-2.example:8443,https://bridge-3.example:8443/")))
                .containsExactly(URI.create("https://bridge-2.example:8443"), URI.create("https://bridge-3.example:8443/"));
        assertThat(BridgeEndpoint.standbys(config("https://bridge-1.example:8443"))).isEmpty();
    }

    @Test void anInstanceThatIsNotAUrlIsRefusedByName() {
        assertThatThrownBy(() -> BridgeEndpoint.standbys(config("https://bridge-1.example:8443, bridge-2")))
                .isInstanceOf(IOException.class).hasMessageContaining("bridgeUrl 'bridge-2'");
    }
}
