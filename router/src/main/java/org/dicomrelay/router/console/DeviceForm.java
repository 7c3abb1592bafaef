package org.dicomrelay.router.console;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.dicomrelay.console.ConsoleException;
import org.dicomrelay.router.config.AeTitles;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.DeviceTls;
import org.dicomrelay.router.config.Service;

import java.util.ArrayList;
import java.util.List;

/**
 * A device as the console's form (or {@code devices add}) sends it; {@link #toDevice} checks each
 * field and names the first wrong one, so the page shows the message next to it.
 */
public record DeviceForm(@JsonProperty("aeTitle") String aeTitle,
                         @JsonProperty("host") String host,
                         @JsonProperty("port") Integer port,
                         @JsonProperty("services") List<String> services,
                         @JsonProperty("transferSyntaxes") List<String> transferSyntaxes,
                         @JsonProperty("exported") Boolean exported,
                         @JsonProperty("tls") DeviceTls tls) {

    /** Host names and addresses: letters, digits, '.', '-', ':' (IPv6), or "*" for any address. */
    private static final String HOST = "\\*|[A-Za-z0-9.:-]{1,253}";
    private static final String UID = "[0-2](\\.(0|[1-9][0-9]*))+";

    public Device toDevice() {
        AeTitles.problem(aeTitle).ifPresent(p -> {
            throw ConsoleException.invalid("aeTitle", p);
        });
        String h = host == null ? "" : host.trim();
        if (!h.matches(HOST)) throw ConsoleException.invalid("host", "a host name or IP address is required (or * for any address)");
        if (port == null || port < 1 || port > 65535) throw ConsoleException.invalid("port", "the port must be 1 to 65535");
        List<String> svc = new ArrayList<>();
        for (String s : services == null ? List.<String>of() : services) {
            try {
                svc.add(Service.parse(s).toString());
            } catch (IllegalArgumentException e) {
                throw ConsoleException.invalid("services", "unknown service '" + s + "': echo, store, find, move or get");
            }
        }
        List<String> ts = new ArrayList<>();
        for (String t : transferSyntaxes == null ? List.<String>of() : transferSyntaxes) {
            String u = t.trim();
            if (u.isEmpty()) continue;
            if (u.length() > 64 || !u.matches(UID)) {
                throw ConsoleException.invalid("transferSyntaxes", "'" + t + "' is not a transfer syntax UID (PS3.5 §9.1: digits and dots, at most 64)");
            }
            ts.add(u);
        }
        return new Device(aeTitle, h, port, svc.stream().distinct().toList(), ts.stream().distinct().toList(), Boolean.TRUE.equals(exported), tls);
    }
}
