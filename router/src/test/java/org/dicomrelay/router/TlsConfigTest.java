package org.dicomrelay.router;

import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.ListenerTls;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.LocalHub;
import org.dicomrelay.testkit.TestCertificates;
import org.dicomrelay.testkit.TestCertificates.Identity;
import org.dicomrelay.testkit.TestCertificates.KeyType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** router.yaml's {@code tls} sections: file names relative to router.yaml, key modes, TLS as the only listener. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsConfigTest {
    private Path work;
    private TestCertificates ca;
    private Identity router;

    @BeforeAll void certificates() throws Exception {
        work = Files.createTempDirectory("tls-config");
        ca = TestCertificates.create(work.resolve("pki"), "ca");
        router = ca.issue("router", KeyType.EC);
    }

    private RouterConfig config(String name, ListenerTls tls) {
        return new RouterConfig(name, work.resolve(name).toString(), "ROUTER", "127.0.0.1", 0, null, null, null,
                List.of(new Device("MODALITY", "127.0.0.1", 1, List.of(), List.of(), false))).withTls(tls);
    }

    @Test void tlsFileNamesAreRelativeToRouterYaml() throws Exception {
        Path dir = Files.createDirectories(work.resolve("etc"));
        Path yaml = dir.resolve("router.yaml");
        Files.writeString(yaml, """
                routerId: hospital-a
                stateDir: state
                aeTitle: ROUTER_A
                port: 11112
                tls:
                  port: 2762
                  certificate: tls/router.pem
                  privateKey: tls/router.key
                  trusted: tls/devices.pem
                devices:
                  - aeTitle: PACS
                    host: 10.0.0.5
                    port: 2762
                    services: [store]
                    tls: {trusted: tls/pacs.pem}
                """);
        RouterConfig c = RouterConfig.load(yaml);
        assertThat(c.tls().certificate()).isEqualTo(dir.resolve("tls/router.pem").toString());
        assertThat(c.tls().privateKey()).isEqualTo(dir.resolve("tls/router.key").toString());
        assertThat(c.tls().trusted()).isEqualTo(dir.resolve("tls/devices.pem").toString());
        assertThat(c.tls().requireClientCertificate()).as("default").isTrue();
        assertThat(c.tls().port()).isEqualTo(2762);
        assertThat(c.device("PACS").orElseThrow().tls().trusted()).isEqualTo(dir.resolve("tls/pacs.pem").toString());
        assertThat(c.device("PACS").orElseThrow().tls().certificate()).isNull();
    }

    @Test void aPrivateKeyOthersMayReadStopsTheStart() throws Exception {
        Path key = work.resolve("readable.key");
        Files.copy(router.privateKey(), key);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        RouterConfig c = config("readable-key", new ListenerTls(0, router.certificate().toString(), key.toString(),
                ca.caCertificate().toString(), true));
        assertThatThrownBy(() -> Router.start(c, new LocalHub().courier("readable-key"), new RoutingTable()))
                .isInstanceOf(IOException.class).hasMessageContaining("tls.privateKey " + key).hasMessageContaining("chmod 600");
    }

    @Test void aDeviceWithAMissingTrustedFileStopsTheStartNamingTheDevice() throws Exception {
        RouterConfig c = new RouterConfig("missing-trust", work.resolve("missing-trust").toString(), "ROUTER", "127.0.0.1", 0, null, null, null,
                List.of(new Device("PACS", "127.0.0.1", 1, List.of("store"), List.of(), true,
                        new org.dicomrelay.router.config.DeviceTls(work.resolve("nowhere.pem").toString(), null, null))));
        assertThatThrownBy(() -> Router.start(c, new LocalHub().courier("missing-trust"), new RoutingTable()))
                .isInstanceOf(IOException.class).hasMessageContaining("device PACS tls").hasMessageContaining("nowhere.pem: no such file");
    }

    @Test void withoutATlsPortTlsReplacesThePlainListener() throws Exception {
        RouterConfig c = config("tls-only", new ListenerTls(null, router.certificate().toString(), router.privateKey().toString(),
                ca.caCertificate().toString(), true));
        try (Router r = Router.start(c, new LocalHub().courier("tls-only"), new RoutingTable())) {
            assertThat(r.tlsPort()).isPositive().isEqualTo(r.port());
        }
    }
}
