package org.dicomrelay.bridge;

import java.nio.file.Path;
import java.util.List;

/**
 * The Bridge's TLS settings ({@code tls:} in bridge.yaml). HTTPS by default, with a certificate the
 * Bridge creates for itself in {@code <dataDir>/tls/} at first start; or the certificate chain and
 * private key of PEM files; plain HTTP only when disabled explicitly, and only on a loopback address.
 *
 * @param certificate PEM file with the server certificate first, then its chain (null: self-created)
 * @param privateKey PEM file with its private key (PKCS#8, or "EC/RSA PRIVATE KEY")
 * @param names extra DNS names or IP addresses for the self-created certificate (beyond the bind address, localhost, 127.0.0.1)
 */
public record BridgeTls(boolean enabled, Path certificate, Path privateKey, List<String> names) {

    public BridgeTls {
        names = names == null ? List.of() : List.copyOf(names);
        if ((certificate == null) != (privateKey == null)) throw new IllegalArgumentException("tls.certificate and tls.privateKey go together");
        if (!enabled && certificate != null) throw new IllegalArgumentException("tls.certificate is given but tls.enabled is false");
        for (String n : names) {
            if (n == null || n.isBlank() || n.length() > 253) throw new IllegalArgumentException("tls.names: empty or overlong name");
        }
    }

    /** HTTPS with a certificate created and kept in the data folder. */
    public static BridgeTls selfSigned(List<String> names) {
        return new BridgeTls(true, null, null, names);
    }

    public static BridgeTls pem(Path certificate, Path privateKey) {
        return new BridgeTls(true, certificate, privateKey, List.of());
    }

    /** Plain HTTP (loopback binds only; tests and single-machine setups). */
    public static BridgeTls disabled() {
        return new BridgeTls(false, null, null, List.of());
    }

    public boolean selfCreated() {
        return enabled && certificate == null;
    }
}
