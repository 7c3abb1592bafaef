package org.dicomrelay.router;

import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.DevicesFile;
import org.dicomrelay.router.config.RouterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The console's device changes written into router.yaml: only the devices change, atomically, the file's mode kept. */
class DevicesFileTest {
    @TempDir Path dir;

    @Test void onlyTheDevicesChangeAndAnUnchangedDeviceKeepsItsOwnEntry() throws Exception {
        Path yaml = dir.resolve("router.yaml");
        Files.writeString(yaml, """
                routerId: hospital-a
                stateDir: state
                aeTitle: ROUTER_A
                port: 11112
                retry:
                  initialDelaySeconds: 5
                devices:
                  - aeTitle: SECURE_PACS
                    host: pacs.example
                    port: 2762
                    services: [store]
                    tls:
                      trusted: certs/pacs-ca.pem
                """);
        Files.setPosixFilePermissions(yaml, PosixFilePermissions.fromString("rw-r-----"));
        RouterConfig before = RouterConfig.load(yaml);
        List<Device> next = new ArrayList<>(before.devices());
        next.add(new Device("CT_1", "10.0.0.7", 104, List.of(), List.of(), false));
        DevicesFile.save(yaml, next);

        String text = Files.readString(yaml);
        assertThat(text).contains("trusted: certs/pacs-ca.pem").contains("initialDelaySeconds: 5").doesNotContain(dir.toString());
        RouterConfig after = RouterConfig.load(yaml);
        assertThat(after.devices()).isEqualTo(next);
        assertThat(after.retry()).isEqualTo(before.retry());
        assertThat(after.port()).isEqualTo(11112);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(yaml))).isEqualTo("rw-r-----");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("router.yaml");
        }
    }

    @Test void aRemovedDeviceLeavesTheFile() throws Exception {
        Path yaml = dir.resolve("router.yaml");
        new RouterConfig("hospital-a", dir.resolve("state").toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null,
                List.of(new Device("ONE", "127.0.0.1", 104, List.of(), List.of(), false),
                        new Device("TWO", "127.0.0.1", 105, List.of("store"), List.of(), true))).save(yaml);
        DevicesFile.save(yaml, List.of(RouterConfig.load(yaml).device("TWO").orElseThrow()));
        assertThat(RouterConfig.load(yaml).devices()).extracting(Device::aeTitle).containsExactly("TWO");
    }
}
