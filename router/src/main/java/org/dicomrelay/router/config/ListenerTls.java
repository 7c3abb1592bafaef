package org.dicomrelay.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.dicomrelay.dicom.net.tls.DicomTls;

import java.io.IOException;
import java.nio.file.Path;

/**
 * DICOM TLS on the router's own listener (router.yaml {@code tls}, PS3.15 Annex B): its
 * certificate and private key (PEM, the key PKCS#8 and mode 0600), the certificates a device
 * must present a chain to ({@code trusted}), and whether a device without a certificate is
 * refused ({@code requireClientCertificate}, default true). With {@code port} the TLS listener
 * is an extra port beside the plain {@code port} of the router (0: any free port); without it,
 * TLS replaces plain DICOM on the router's {@code port}. Relative file names are relative to the
 * folder of router.yaml.
 */
public record ListenerTls(@JsonProperty("port") Integer port,
                          @JsonProperty("certificate") String certificate,
                          @JsonProperty("privateKey") String privateKey,
                          @JsonProperty("trusted") String trusted,
                          @JsonProperty("requireClientCertificate") Boolean requireClientCertificate) {
    public ListenerTls {
        if (certificate == null || privateKey == null) {
            throw new IllegalArgumentException("tls needs the router's certificate and privateKey (PEM files)");
        }
        if (trusted == null) throw new IllegalArgumentException("tls.trusted is missing: the certificates devices must present (PEM)");
        if (requireClientCertificate == null) requireClientCertificate = true;
        if (port != null && (port < 0 || port > 65535)) throw new IllegalArgumentException("tls.port must be 0 to 65535");
    }

    /** Whether plain DICOM stays on the router's {@code port}, TLS on {@link #port}. */
    public boolean extraPort() { return port != null; }

    public DicomTls load() throws IOException {
        return TlsFiles.load("tls", certificate, privateKey, trusted, requireClientCertificate);
    }

    ListenerTls resolvedAgainst(Path base) {
        return new ListenerTls(port, TlsFiles.resolve(base, certificate), TlsFiles.resolve(base, privateKey), TlsFiles.resolve(base, trusted),
                requireClientCertificate);
    }
}
