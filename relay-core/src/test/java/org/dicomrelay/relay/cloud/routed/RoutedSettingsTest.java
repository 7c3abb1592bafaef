package org.dicomrelay.relay.cloud.routed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.junit.jupiter.api.Test;

/** Cloud IO "routed": which provider each recipient reads from, and each provider's settings under its name. */
class RoutedSettingsTest {
    @Test void aRecipientReadsWhereItsPeerEntrySaysElseAtHome() {
        RoutedSettings s = RoutedSettings.of(Map.of("home", "s3", "peer.hospital-b", "azure", "s3.bucket", "relay", "s3.sqs.endpoint", "http://q",
                "azure.container", "relay"));
        assertThat(s.readerOf("hospital-b")).isEqualTo("azure");
        assertThat(s.readerOf("hospital-c")).as("a router without an entry reads where we do").isEqualTo("s3");
        assertThat(s.providers()).containsExactly("azure", "s3");
        assertThat(s.of("s3")).isEqualTo(Map.of("bucket", "relay", "sqs.endpoint", "http://q"));
        assertThat(s.of("azure")).isEqualTo(Map.of("container", "relay"));
    }

    @Test void withoutHomeOrWithASettingOfNoProviderTheErrorNamesIt() {
        assertThatThrownBy(() -> RoutedSettings.of(Map.of("peer.b", "s3"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("home");
        assertThatThrownBy(() -> RoutedSettings.of(Map.of("home", "s3", "bucket", "x"))).hasMessageContaining("'bucket'").hasMessageContaining("<provider>.");
    }

    @Test void routedCannotRouteThroughItself() {
        assertThatThrownBy(() -> CloudProvider.named("routed").notifications(Map.of("home", "routed"), "a", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("itself");
    }
}
