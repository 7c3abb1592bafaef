package org.dicomrelay.router;

import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.link.PayloadCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** router.yaml as an administrator writes it. */
class RouterConfigTest {
    /** The four settings every router.yaml needs. */
    private static final String MINIMAL = "routerId: a1\nstateDir: x\naeTitle: R\nport: 1\n";

    /** Writes {@code c} as `enroll` and the demo do, and reads it back. */
    private static RouterConfig savedAndLoaded(RouterConfig c, Path dir) throws IOException {
        Path saved = dir.resolve("saved.yaml");
        c.save(saved);
        return RouterConfig.load(saved);
    }

    @Test void storeAcknowledgementIsPerRouteWhereListed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("router.yaml");
        Files.writeString(f, """
                routerId: hospital-a
                stateDir: /var/lib/router
                aeTitle: ROUTER_A
                port: 11112
                bridgeUrl: https://bridge.example.org
                cloud: {provider: filesystem, settings: {root: /mnt/cloud}}
                remoteAck: [PACS_B]
                devices:
                  - {aeTitle: CT1, host: 10.0.0.5, port: 104, services: [store], exported: false}
                """);
        RouterConfig c = RouterConfig.load(f);
        assertThat(c.bind()).as("default bind").isEqualTo("0.0.0.0");
        assertThat(c.storeAck()).isEqualTo("spool");
        assertThat(c.acksAfterRemoteStore("PACS_B")).isTrue();
        assertThat(c.acksAfterRemoteStore("OTHER")).isFalse();
        c.save(dir.resolve("copy.yaml"));
        assertThat(RouterConfig.load(dir.resolve("copy.yaml"))).isEqualTo(c);
    }

    /** Issue 10: compression is chosen per route by the sending router, per remote AE, else per router, else the default. */
    @Test void compressionPerRemoteAeThenPerRouterThenTheDefault(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("router.yaml");
        Files.writeString(f, MINIMAL + """
                compression:
                  default: deflate
                  routers: {hospital-b: zstd}
                  remoteAes: {PACS_LAN: none}
                """);
        RouterConfig c = RouterConfig.load(f);
        assertThat(c.compression().of("hospital-b", "PACS_LAN")).isEqualTo(PayloadCodec.NONE);
        assertThat(c.compression().of("hospital-b", "PACS_B")).isEqualTo(PayloadCodec.ZSTD);
        assertThat(c.compression().of("hospital-c", "PACS_C")).isEqualTo(PayloadCodec.DEFLATE);
        assertThat(savedAndLoaded(c, dir)).isEqualTo(c);
        Files.writeString(f, MINIMAL);
        assertThat(RouterConfig.load(f).compression().of("hospital-b", "PACS_B")).as("default").isEqualTo(PayloadCodec.NONE);
    }

    @Test void anUnknownOrMissingCompressionIsAClearError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("router.yaml");
        Files.writeString(f, MINIMAL + "compression: {default: gzip}\n");
        assertThatThrownBy(() -> RouterConfig.load(f)).hasMessageContaining("unknown compression 'gzip' (known: none, zstd, deflate)")
                .hasMessageContaining("\"default\"");
        Files.writeString(f, MINIMAL + "compression: {remoteAes: {PACS_B: lz4}}\n");
        assertThatThrownBy(() -> RouterConfig.load(f)).hasMessageContaining("unknown compression 'lz4'").hasMessageContaining("remoteAes");
        Files.writeString(f, MINIMAL + "compression: {routers: {hospital-b: }}\n");
        assertThatThrownBy(() -> RouterConfig.load(f)).hasMessageContaining("compression.routers.hospital-b names no codec");
        Files.writeString(f, MINIMAL + "compression: {level: 9}\n");
        assertThatThrownBy(() -> RouterConfig.load(f)).hasMessageContaining("\"level\"");
    }

    @Test void unansweredUploadsAgeIsSetUnderCloud(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("router.yaml");
        Files.writeString(f, MINIMAL + "cloud: {provider: filesystem, blobMaxAgeMinutes: 15}\n");
        assertThat(RouterConfig.load(f).blobMaxAge()).hasMinutes(15);
        Files.writeString(f, MINIMAL);
        assertThat(RouterConfig.load(f).blobMaxAge()).as("default").hasMinutes(60);
        Files.writeString(f, MINIMAL + "cloud: {provider: filesystem, blobMaxAgeMinutes: 0}\n");
        assertThatThrownBy(() -> RouterConfig.load(f)).hasMessageContaining("cloud.blobMaxAgeMinutes must be at least 1");
    }

    @Test void operationsPerPeerIsSetUnderLimits(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("router.yaml");
        Files.writeString(f, MINIMAL + "limits: {operationsPerPeer: 3}\n");
        assertThat(RouterConfig.load(f).limits().operationsPerPeer()).isEqualTo(3);
        Files.writeString(f, MINIMAL);
        assertThat(RouterConfig.load(f).limits().operationsPerPeer()).as("default").isEqualTo(8);
        Files.writeString(f, MINIMAL + "limits: {operationsPerPeer: 0}\n");
        assertThatThrownBy(() -> RouterConfig.load(f)).hasMessageContaining("limits.operationsPerPeer must be at least 1");
    }

    @Test void messageAgePayloadSizeAndTheirDefaults(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("router.yaml");
        Files.writeString(f, MINIMAL + "limits: {maxPayloadBytes: 1000}\n"
                + "link: {maxMessageAgeMinutes: 5, maxClockSkewMinutes: 1}\n");
        RouterConfig c = RouterConfig.load(f);
        assertThat(c.limits().maxPayloadBytes()).isEqualTo(1000);
        assertThat(c.link().maxMessageAge()).isEqualTo(java.time.Duration.ofMinutes(5));
        assertThat(c.link().maxClockSkew()).isEqualTo(java.time.Duration.ofMinutes(1));
        RouterConfig saved = savedAndLoaded(c, dir);
        assertThat(saved.link()).isEqualTo(c.link());
        assertThat(saved.limits()).isEqualTo(c.limits());
        Files.writeString(f, MINIMAL);
        c = RouterConfig.load(f);
        assertThat(c.limits().maxPayloadBytes()).as("default").isEqualTo(4L << 30);
        assertThat(c.link().maxMessageAge()).as("default").isEqualTo(java.time.Duration.ofMinutes(10));
        assertThat(c.link().maxClockSkew()).as("default").isEqualTo(java.time.Duration.ofMinutes(2));
        Files.writeString(f, MINIMAL + "link: {maxMessageAgeMinutes: 0}\n");
        assertThatThrownBy(() -> RouterConfig.load(f)).hasMessageContaining("link.maxMessageAgeMinutes must be at least 1");
    }

    /** Link sessions (issue 9, point 5): rotation by time and volume, configurable under link:, with their defaults. */
    @Test void sessionRotationSettingsAndTheirDefaults(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("router.yaml");
        Files.writeString(f, MINIMAL
                + "link: {sessionKeyRotationHours: 6, sessionMaxAgeMinutes: 30, sessionMaxBytes: 1000000, sessionMaxMessages: 500}\n");
        RouterConfig c = RouterConfig.load(f);
        var p = c.link().sessionPolicy();
        assertThat(p.keyRotation()).isEqualTo(java.time.Duration.ofHours(6));
        assertThat(p.maxAge()).isEqualTo(java.time.Duration.ofMinutes(30));
        assertThat(p.maxBytes()).isEqualTo(1_000_000);
        assertThat(p.maxMessages()).isEqualTo(500);
        assertThat(p.inFlight()).as("maximum message age plus clock skew").isEqualTo(java.time.Duration.ofMinutes(12));
        assertThat(savedAndLoaded(c, dir).link()).isEqualTo(c.link());
        Files.writeString(f, MINIMAL);
        assertThat(RouterConfig.load(f).link().sessionPolicy()).as("defaults").isEqualTo(org.dicomrelay.relay.crypto.SessionPolicy.DEFAULT);
        Files.writeString(f, MINIMAL + "link: {sessionKeyRotationHours: 1, sessionMaxAgeMinutes: 90}\n");
        assertThatThrownBy(() -> RouterConfig.load(f)).hasMessageContaining("link.sessionMaxAgeMinutes must not exceed link.sessionKeyRotationHours");
    }

    /** Issue 10 item 1: the pipeline per destination and the batching of STORE answers, under link:, with their defaults. */
    @Test void pipelineSettingsAndTheirDefaults(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("router.yaml");
        Files.writeString(f, MINIMAL + "link: {window: 16, answerLingerMillis: 2, answerBatchMax: 32}\n");
        RouterConfig c = RouterConfig.load(f);
        assertThat(c.link().window()).isEqualTo(16);
        assertThat(c.link().answerLinger()).isEqualTo(java.time.Duration.ofMillis(2));
        assertThat(c.link().answerBatchMax()).isEqualTo(32);
        assertThat(savedAndLoaded(c, dir).link()).isEqualTo(c.link());
        Files.writeString(f, MINIMAL);
        c = RouterConfig.load(f);
        assertThat(c.link().window()).as("default").isEqualTo(256);
        assertThat(c.link().answerLinger()).as("default: group commit").isZero();
        assertThat(c.link().answerBatchMax()).as("default").isEqualTo(64);
        Files.writeString(f, MINIMAL + "link: {window: 0}\n");
        assertThatThrownBy(() -> RouterConfig.load(f)).hasMessageContaining("link.window must be at least 1");
        Files.writeString(f, MINIMAL + "link: {answerBatchMax: 100000}\n");
        assertThatThrownBy(() -> RouterConfig.load(f)).hasMessageContaining("link.answerBatchMax must be 1 to 256");
    }

    @Test void badValuesAreNamed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("router.yaml");
        Files.writeString(f, "routerId: Hospital A\nstateDir: x\naeTitle: R\nport: 1\n");
        assertThatThrownBy(() -> RouterConfig.load(f)).hasMessageContaining("routerId must be");
        Files.writeString(f, MINIMAL + "storeAck: later\n");
        assertThatThrownBy(() -> RouterConfig.load(f)).hasMessageContaining("storeAck must be");
        Files.writeString(f, MINIMAL + "devices: [{aeTitle: WAYTOOLONGAETITLE17, host: h, port: 1}]\n");
        assertThatThrownBy(() -> RouterConfig.load(f)).hasMessageContaining("1 to 16 characters");
    }
}
