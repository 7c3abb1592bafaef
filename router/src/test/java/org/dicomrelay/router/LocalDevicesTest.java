package org.dicomrelay.router;

import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.DeviceTls;
import org.dicomrelay.router.config.RouterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The live devices table: a change reaches every reader at once, or, refused, changes nothing. */
class LocalDevicesTest {
    @TempDir Path dir;

    private LocalDevices table() throws IOException {
        RouterConfig c = new RouterConfig("hospital-a", dir.toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null,
                List.of(new Device("ONE", "127.0.0.1", 104, List.of(), List.of(), false)));
        return LocalDevices.load(c, Router.scuOptions());
    }

    @Test void aReplacementIsSeenAndToldToListeners() throws Exception {
        LocalDevices t = table();
        List<List<Device>> told = new ArrayList<>();
        t.onChange(told::add);
        Device two = new Device("TWO", "10.0.0.2", 105, List.of("store"), List.of(), true);
        t.replace(List.of(t.find("ONE").orElseThrow(), two));
        assertThat(t.find("TWO")).contains(two);
        assertThat(told).containsExactly(List.of(t.find("ONE").orElseThrow(), two));
    }

    @Test void anAeTitleTwiceIsRefusedAndNothingChanges() throws Exception {
        LocalDevices t = table();
        List<Device> before = t.all();
        Device again = new Device("ONE", "10.0.0.9", 106, List.of(), List.of(), false);
        assertThatThrownBy(() -> t.replace(List.of(before.get(0), again))).hasMessageContaining("ONE is in the devices table twice");
        assertThat(t.all()).isEqualTo(before);
    }

    @Test void unreadableTlsFilesAreRefusedAndNothingChanges() throws Exception {
        LocalDevices t = table();
        List<Device> before = t.all();
        Device tls = new Device("SECURE", "10.0.0.3", 2762, List.of("store"), List.of(), false,
                new DeviceTls(dir.resolve("missing-ca.pem").toString(), null, null));
        assertThatThrownBy(() -> t.replace(List.of(before.get(0), tls))).isInstanceOf(IOException.class);
        assertThat(t.all()).isEqualTo(before);
        assertThat(t.find("SECURE")).isEmpty();
    }
}
