package org.dicomrelay.router;

import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The router's local devices table as it is now: router.yaml's at start, then as the console
 * changes it, without a restart. Whoever checks a calling AE (the listeners' ACL), resolves a
 * move destination, performs another router's request or publishes the exports reads it here, so
 * a change reaches them all at once.
 */
public final class LocalDevices {
    private final DeviceOptions options;
    private final List<Consumer<List<Device>>> listeners = new CopyOnWriteArrayList<>();
    private volatile List<Device> devices;

    private LocalDevices(List<Device> devices, DeviceOptions options) {
        this.devices = List.copyOf(devices);
        this.options = options;
    }

    /** The configuration's devices, their TLS files read now. */
    static LocalDevices load(RouterConfig config, AssociationOptions scu) throws IOException {
        return new LocalDevices(config.devices(), DeviceOptions.load(config, scu));
    }

    /** The configuration's devices over plain TCP (tests). */
    static LocalDevices of(RouterConfig config) {
        return new LocalDevices(config.devices(), DeviceOptions.plain(Router.scuOptions()));
    }

    public List<Device> all() { return devices; }

    public Optional<Device> find(String aeTitle) {
        return devices.stream().filter(d -> d.aeTitle().equals(aeTitle)).findFirst();
    }

    DeviceOptions options() { return options; }

    /** How the router opens an association to {@code d} (over DICOM TLS for a device with a {@code tls} section). */
    public AssociationOptions associationOptions(Device d) { return options.of(d); }

    /**
     * Makes {@code next} the table: its TLS files are read first (an unreadable one refuses the
     * change, nothing changed), then every reader sees it, then the listeners are told.
     */
    public synchronized void replace(List<Device> next) throws IOException {
        List<String> seen = new ArrayList<>();
        for (Device d : next) {
            if (seen.contains(d.aeTitle())) throw new IllegalArgumentException("AE title " + d.aeTitle() + " is in the devices table twice");
            seen.add(d.aeTitle());
        }
        options.reload(next);
        devices = List.copyOf(next);
        for (Consumer<List<Device>> l : listeners) l.accept(devices);
    }

    /** Tells {@code l} every change (the directory sync republishes the exports). */
    public void onChange(Consumer<List<Device>> l) {
        listeners.add(l);
    }
}
