package org.dicomrelay.router.console;

import org.dicomrelay.console.ConsoleException;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.router.LocalDevices;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.DevicesFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one implementation of changes to the devices table (console page, HTTP API and the
 * {@code devices} command alike): checked, applied to the running router at once, then written to
 * router.yaml; if the file cannot be written the change is undone, so the router and its file
 * never disagree.
 */
final class DeviceEditor {
    private final LocalDevices devices;
    /** null: the router was started without a configuration file (tests, the demo's own), changes are not persisted. */
    private final Path configFile;

    DeviceEditor(LocalDevices devices, Path configFile) {
        this.devices = devices;
        this.configFile = configFile;
    }

    synchronized Device add(DeviceForm form) throws IOException {
        Device d = form.toDevice();
        if (devices.find(d.aeTitle()).isPresent()) throw ConsoleException.invalid("aeTitle", "device " + d.aeTitle() + " exists already");
        List<Device> next = new ArrayList<>(devices.all());
        next.add(d);
        apply(next);
        return d;
    }

    /** Replaces device {@code aeTitle} with the form's (which may rename it). */
    synchronized Device update(String aeTitle, DeviceForm form) throws IOException {
        Device d = form.toDevice();
        requireExisting(aeTitle);
        if (!d.aeTitle().equals(aeTitle) && devices.find(d.aeTitle()).isPresent()) {
            throw ConsoleException.invalid("aeTitle", "device " + d.aeTitle() + " exists already");
        }
        List<Device> next = new ArrayList<>();
        for (Device x : devices.all()) next.add(x.aeTitle().equals(aeTitle) ? d : x);
        apply(next);
        return d;
    }

    synchronized void remove(String aeTitle) throws IOException {
        requireExisting(aeTitle);
        List<Device> next = new ArrayList<>(devices.all());
        next.removeIf(x -> x.aeTitle().equals(aeTitle));
        apply(next);
    }

    private void requireExisting(String aeTitle) {
        if (devices.find(aeTitle).isEmpty()) throw ConsoleException.notFound("no device " + aeTitle);
    }

    private void apply(List<Device> next) throws IOException {
        List<Device> before = devices.all();
        try {
            devices.replace(next); // reads TLS files: a wrong one refuses the change here
        } catch (IOException e) {
            throw ConsoleException.invalid("tls", "the device's TLS files cannot be used: " + FailureText.of(e));
        }
        if (configFile == null) return;
        try {
            DevicesFile.save(configFile, next);
        } catch (IOException | RuntimeException e) {
            devices.replace(before);
            throw new IOException("the change was not saved to " + configFile + " and is undone: " + FailureText.of(e), e);
        }
    }
}
