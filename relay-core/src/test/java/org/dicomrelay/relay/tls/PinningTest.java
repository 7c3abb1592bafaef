package org.dicomrelay.relay.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** What a router accepts as the Bridge's fingerprint and address (issue 9, point 2). */
class PinningTest {

    private static final String CANONICAL = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";

    @Test
    void fingerprintsAreTakenWithOrWithoutColonsInAnyCase() {
        assertThat(CertificateFingerprint.normalize(CANONICAL.toLowerCase())).isEqualTo(CANONICAL);
        assertThat(CertificateFingerprint.normalize(" " + CANONICAL.replace(":", "") + "\n")).isEqualTo(CANONICAL);
        assertThatThrownBy(() -> CertificateFingerprint.normalize("00:11")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> CertificateFingerprint.normalize(CANONICAL.replace('0', 'g'))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyLiteralLoopbackAddressesAndLocalhostCountAsLoopback() {
        assertThat(LoopbackHost.is("127.0.0.1")).isTrue();
        assertThat(LoopbackHost.is("127.1.2.3")).isTrue();
        assertThat(LoopbackHost.is("::1")).isTrue();
        assertThat(LoopbackHost.is("[::1]")).isTrue();
        assertThat(LoopbackHost.is("localhost")).isTrue();
        assertThat(LoopbackHost.is("10.0.0.1")).isFalse();
        assertThat(LoopbackHost.is("0.0.0.0")).isFalse();
        assertThat(LoopbackHost.is("bridge.example.org")).isFalse(); // never resolved
        assertThat(LoopbackHost.is("localhost.example.org")).isFalse();
    }

    @Test
    void plainHttpGoesOnlyToLoopbackAndAPinNeedsHttps() throws Exception {
        BridgeHttp.requireSafe(URI.create("https://bridge.example.org"));
        BridgeHttp.requireSafe(URI.create("http://localhost:8470"));
        assertThatThrownBy(() -> BridgeHttp.requireSafe(URI.create("http://10.0.0.1:8470"))).isInstanceOf(InsecureBridgeUrlException.class)
                .hasMessageContaining("nothing was sent");
        assertThatThrownBy(() -> BridgeHttp.requireSafe(URI.create("ftp://bridge.example.org"))).isInstanceOf(InsecureBridgeUrlException.class);
        assertThatThrownBy(() -> BridgeHttp.newClient(URI.create("http://127.0.0.1:8470"), CANONICAL, null, java.time.Duration.ofSeconds(1)))
                .isInstanceOf(InsecureBridgeUrlException.class).hasMessageContaining("use https://");
    }
}
