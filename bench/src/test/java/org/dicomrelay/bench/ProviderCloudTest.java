package org.dicomrelay.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bench's providers: the WAN run on S3 is valid only if the routers reach S3Proxy and
 * ElasticMQ through the delaying proxy, so the cloud section it gives them must name the proxies
 * for every endpoint and nothing else of the emulators; the other settings stay as they are.
 */
class ProviderCloudTest {
    @Test void throughAProxyEveryS3AndSqsEndpointIsReplacedAndTheOtherSettingsStay(@TempDir Path dir) throws Exception {
        try (ProviderCloud s3 = ProviderCloud.start("s3", dir)) {
            List<URI> endpoints = s3.endpoints();
            assertThat(endpoints).as("S3Proxy's and ElasticMQ's addresses").hasSize(2).allMatch(e -> e.getHost().equals("127.0.0.1"));
            // proxy i+1 stands for endpoint i
            var proxied = s3.through(e -> URI.create("http://127.0.0.1:" + (endpoints.indexOf(e) + 1)));
            for (int i = 0; i < endpoints.size(); i++) {
                URI e = endpoints.get(i);
                assertThat(proxied.settings().values()).as("no setting names %s itself", e).noneMatch(v -> v.contains(":" + e.getPort()));
                assertThat(proxied.settings().values()).as("its proxy instead").contains("http://127.0.0.1:" + (i + 1));
            }
            assertThat(proxied.provider()).isEqualTo("s3");
            assertThat(proxied.settings()).containsEntry("bucket", "relay").containsEntry("pathStyle", "true")
                    .containsEntry("accessKeyId", s3.cloud.settings().get("accessKeyId"));
        }
    }

    @Test void theBridgesStoreIsNoCloudSectionAndAnUnknownProviderIsRefused(@TempDir Path dir) throws Exception {
        try (ProviderCloud bridge = ProviderCloud.start("bridge", dir)) {
            assertThat(bridge.cloud).as("the default store: no cloud section").isNull();
            assertThat(bridge.endpoints()).isEmpty();
        }
        assertThatThrownBy(() -> ProviderCloud.start("gcs", dir)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gcs");
    }
}
