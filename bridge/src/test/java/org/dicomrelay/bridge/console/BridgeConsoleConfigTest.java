package org.dicomrelay.bridge.console;

import org.dicomrelay.bridge.BridgeConfig;
import org.dicomrelay.bridge.BridgeConsoleListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** bridge.yaml's {@code console} section: none without it, loopback and 8471 by default, a typo named. */
class BridgeConsoleConfigTest {
    @TempDir Path dir;

    private BridgeConfig load(String yaml) throws IOException {
        Path f = dir.resolve("bridge.yaml");
        Files.writeString(f, "adminToken: admin-token-0123456789\n" + yaml);
        return BridgeConfig.load(f);
    }

    @Test void noSectionNoConsoleAndAnEmptyOneOnLoopback() throws Exception {
        assertThat(load("").console()).isNull();
        assertThat(load("console: {}\n").console()).isEqualTo(new BridgeConsoleListener("127.0.0.1", BridgeConsoleListener.DEFAULT_PORT));
        assertThat(load("console: {bind: 0.0.0.0, port: 9000}\n").console()).isEqualTo(new BridgeConsoleListener("0.0.0.0", 9000));
    }

    @Test void aMistypedSettingIsRefusedByName() {
        assertThatThrownBy(() -> load("console: {bind: 127.0.0.1, prot: 9000}\n")).isInstanceOf(IOException.class)
                .hasMessageContaining("unknown setting 'console.prot'");
        assertThatThrownBy(() -> load("console: {port: 70000}\n")).isInstanceOf(IOException.class).hasMessageContaining("console.port must be 0 to 65535");
    }

    @Test void theAccountsFolderIsTheDataDirWithoutTheAdminToken() throws Exception {
        Path f = dir.resolve("other.yaml");
        Files.writeString(f, "dataDir: state/bridge\n");
        assertThat(BridgeConfig.dataDirOf(f)).isEqualTo(dir.resolve("state/bridge"));
        Files.writeString(f, "port: 8470\n");
        assertThat(BridgeConfig.dataDirOf(f)).isEqualTo(dir.resolve("bridge-data"));
    }
}
