package org.dicomrelay.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.dicomrelay.dicom.net.tls.DicomTls;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A local device reached over DICOM TLS (router.yaml {@code devices[].tls}): the certificates its
 * chain must lead to ({@code trusted}), and the certificate and key the router presents to it
 * (both or neither; a device that requires client certificates needs them). Relative file names
 * are relative to the folder of router.yaml.
 */
public record DeviceTls(@JsonProperty("trusted") String trusted,
                        @JsonProperty("certificate") String certificate,
                        @JsonProperty("privateKey") String privateKey) {
    public DeviceTls {
        if (trusted == null) throw new IllegalArgumentException("a device's tls.trusted is missing: the certificates the device must present (PEM)");
        if ((certificate == null) != (privateKey == null)) {
            throw new IllegalArgumentException("a device's tls needs both certificate and privateKey, or neither");
        }
    }

    public DicomTls load(String aeTitle) throws IOException {
        return TlsFiles.load("device " + aeTitle + " tls", certificate, privateKey, trusted, false);
    }

    DeviceTls resolvedAgainst(Path base) {
        return new DeviceTls(TlsFiles.resolve(base, trusted), TlsFiles.resolve(base, certificate), TlsFiles.resolve(base, privateKey));
    }
}
