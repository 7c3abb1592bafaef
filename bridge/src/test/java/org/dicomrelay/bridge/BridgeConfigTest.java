package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BridgeConfigTest {

    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        return Files.writeString(dir.resolve("bridge.yaml"), text);
    }

    @Test
    void loadsYamlWithDefaults() throws Exception {
        BridgeConfig c = BridgeConfig.load(yaml("""
                bind: 0.0.0.0
                port: 9000
                dataDir: data
                adminToken: a-long-enough-admin-token
                notificationWait: 20s
                visibilityTimeout: 2m
                """), Map.of());
        assertThat(c.bind()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(9000);
        assertThat(c.dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(c.effectiveJdbcUrl()).isEqualTo("jdbc:h2:file:" + dir.resolve("data").resolve("bridge"));
        assertThat(c.notificationWait()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.visibilityTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.enrollmentTokenTtl()).isEqualTo(Duration.ofHours(24));
        assertThat(c.maxPayloadBytes()).isEqualTo(65536);
        assertThat(c.blobPartBytes()).isEqualTo(8 * 1024 * 1024);
        assertThat(c.blobQuotaBytes()).isEqualTo(20L * 1024 * 1024 * 1024);
        assertThat(c.blobMaxAge()).isEqualTo(Duration.ofDays(7));
    }

    /** Issue 9, point 1: the default store's limits, as the README shows them. */
    @Test
    void loadsTheBlobSettings() throws Exception {
        BridgeConfig c = BridgeConfig.load(yaml("""
                adminToken: a-long-enough-admin-token
                blobPartBytes: 1048576
                blobQuotaBytes: 42949672960
                blobMaxAge: 2d
                """), Map.of());
        assertThat(c.blobPartBytes()).isEqualTo(1024 * 1024);
        assertThat(c.blobQuotaBytes()).isEqualTo(40L * 1024 * 1024 * 1024);
        assertThat(c.blobMaxAge()).isEqualTo(Duration.ofDays(2));
        assertThatThrownBy(() -> BridgeConfig.load(yaml("adminToken: a-long-enough-admin-token\nblobPartBytes: 10\n"), Map.of()))
                .hasMessageContaining("blobPartBytes");
        assertThatThrownBy(() -> BridgeConfig.load(yaml("adminToken: a-long-enough-admin-token\nblobQuotaBytes: 0\n"), Map.of()))
                .hasMessageContaining("blobQuotaBytes");
    }

    @Test
    void adminTokenFromTheEnvironmentAndNeverShown() throws Exception {
        BridgeConfig c = BridgeConfig.load(yaml("jdbcUrl: jdbc:h2:mem:x;password=hunter2\n"),
                Map.of(BridgeConfig.ADMIN_TOKEN_ENV, "token-from-the-environment"));
        assertThat(c.adminToken()).isEqualTo("token-from-the-environment");
        assertThat(c.port()).isEqualTo(BridgeConfig.DEFAULT_PORT);
        assertThat(c.toString()).doesNotContain("token-from-the-environment").doesNotContain("hunter2").contains("(hidden)");

        BridgeConfig named = BridgeConfig.load(yaml("adminTokenEnv: MY_TOKEN\n"), Map.of("MY_TOKEN", "another-token-0123456789"));
        assertThat(named.adminToken()).isEqualTo("another-token-0123456789");
    }

    @Test
    void refusesMissingOrWeakTokenAndUnknownSettings() throws Exception {
        assertThatThrownBy(() -> BridgeConfig.load(yaml("port: 1\n"), Map.of())).hasMessageContaining("admin token is missing");
        assertThatThrownBy(() -> BridgeConfig.load(yaml("adminToken: short\n"), Map.of())).hasMessageContaining("at least 16");
        assertThatThrownBy(() -> BridgeConfig.load(yaml("adminToken: a-long-enough-admin-token\nprot: 1\n"), Map.of()))
                .hasMessageContaining("unknown setting 'prot'");
        assertThatThrownBy(() -> BridgeConfig.load(yaml("adminToken: a-long-enough-admin-token\nvisibilityTimeout: soon\n"), Map.of()))
                .hasMessageContaining("not a duration");
        assertThatThrownBy(() -> BridgeConfig.load(yaml("adminToken: a-long-enough-admin-token\nmaxPayloadBytes: 100000000\n"), Map.of()))
                .hasMessageContaining("maxPayloadBytes");
    }

    @Test
    void durations() {
        assertThat(BridgeConfig.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(BridgeConfig.parseDuration("45")).isEqualTo(Duration.ofSeconds(45));
        assertThat(BridgeConfig.parseDuration("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(BridgeConfig.parseDuration("PT1H30M")).isEqualTo(Duration.ofMinutes(90));
    }
}
