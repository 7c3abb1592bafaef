package org.dicomrelay.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A device on the institution's network: its AE title, where it listens, what it offers as SCP,
 * the transfer syntaxes it accepts (empty: the usual ones), and whether other institutions may
 * reach it through the relay ("exported"), and, for a device reached over DICOM TLS, its
 * {@link DeviceTls} (null: plain TCP).
 */
public record Device(@JsonProperty("aeTitle") String aeTitle,
                     @JsonProperty("host") String host,
                     @JsonProperty("port") int port,
                     @JsonProperty("services") List<String> services,
                     @JsonProperty("transferSyntaxes") List<String> transferSyntaxes,
                     @JsonProperty("exported") boolean exported,
                     @JsonProperty("tls") DeviceTls tls) {

    public Device {
        AeTitles.problem(aeTitle).ifPresent(p -> {
            throw new IllegalArgumentException("device AE title '" + aeTitle + "': " + p);
        });
        services = services == null ? List.of() : List.copyOf(services);
        transferSyntaxes = transferSyntaxes == null ? List.of() : List.copyOf(transferSyntaxes);
    }

    /** Reached over plain TCP. */
    public Device(String aeTitle, String host, int port, List<String> services, List<String> transferSyntaxes, boolean exported) {
        this(aeTitle, host, port, services, transferSyntaxes, exported, null);
    }

    Device resolvedAgainst(java.nio.file.Path base) {
        return tls == null ? this : new Device(aeTitle, host, port, services, transferSyntaxes, exported, tls.resolvedAgainst(base));
    }

    public Set<Service> serviceSet() {
        Set<Service> s = new TreeSet<>();
        for (String x : services) s.add(Service.parse(x));
        return s;
    }

    public boolean offers(Service s) {
        return serviceSet().contains(s);
    }
}
