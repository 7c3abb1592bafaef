package org.dicomrelay.router;

import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How the router opens associations to each local device: the same options for all, over DICOM
 * TLS for a device with a {@code tls} section. Its files are read when the devices are loaded (at
 * start, and when the console changes the table), so that a missing or unreadable certificate
 * stops the start or refuses the change instead of failing the first transfer.
 */
final class DeviceOptions {
    private final AssociationOptions plain;
    private volatile Map<Device, AssociationOptions> tls;

    private DeviceOptions(AssociationOptions plain, Map<Device, AssociationOptions> tls) {
        this.plain = plain;
        this.tls = Map.copyOf(tls);
    }

    /** Every device over plain TCP. */
    static DeviceOptions plain(AssociationOptions options) {
        return new DeviceOptions(options, Map.of());
    }

    static DeviceOptions load(RouterConfig config, AssociationOptions options) throws IOException {
        return new DeviceOptions(options, tlsOf(config.devices(), options));
    }

    /** Reads the TLS files of {@code devices} and uses them from now on; on failure nothing changes. */
    void reload(List<Device> devices) throws IOException {
        tls = Map.copyOf(tlsOf(devices, plain));
    }

    private static Map<Device, AssociationOptions> tlsOf(List<Device> devices, AssociationOptions options) throws IOException {
        Map<Device, AssociationOptions> tls = new HashMap<>();
        for (Device d : devices) {
            if (d.tls() != null) tls.put(d, options.withTls(d.tls().load(d.aeTitle())));
        }
        return tls;
    }

    AssociationOptions of(Device d) {
        return tls.getOrDefault(d, plain);
    }
}
