package org.dicomrelay.cli;

import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.tls.DicomTls;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** Options every network tool shares. */
public final class ConnectionOptions {
    @Option(names = {"-c", "--connect"}, required = true, paramLabel = "AE@host:port", converter = Peer.Converter.class,
            description = "the peer to connect to")
    Peer peer;

    @Option(names = {"-b", "--bind"}, paramLabel = "AE", defaultValue = "DICOMRELAY", description = "our calling AE title (default: ${DEFAULT-VALUE})")
    String callingAe;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "10", description = "TCP connect timeout")
    int connectTimeout;

    @Option(names = "--dimse-timeout", paramLabel = "SECONDS", defaultValue = "0", description = "wait at most this long for each response (0: no limit)")
    int dimseTimeout;

    @Option(names = "--max-pdu", paramLabel = "BYTES", defaultValue = "262144", description = "maximum PDU length we receive")
    long maxPdu;

    @Option(names = "--tls-trusted", paramLabel = "PEM", description = "DICOM TLS: the certificates (or CA) the peer must present")
    Path tlsTrusted;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "DICOM TLS: our certificate, if the peer asks for one (with --tls-key)")
    Path tlsCertificate;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "DICOM TLS: our private key (unencrypted PKCS#8)")
    Path tlsKey;

    AssociationOptions options() throws IOException {
        AssociationOptions d = AssociationOptions.DEFAULT;
        AssociationOptions o = new AssociationOptions(maxPdu, d.maxPduSend(), Duration.ofSeconds(connectTimeout), d.artim(), d.idleTimeout(),
                Duration.ofSeconds(dimseTimeout), d.releaseTimeout(), d.implementationClassUid(), d.implementationVersionName(), d.writeTimeout());
        if (tlsTrusted == null) {
            if (tlsCertificate != null || tlsKey != null) throw new IOException("--tls-cert and --tls-key need --tls-trusted (TLS is on with it)");
            return o;
        }
        return o.withTls(DicomTls.fromPem(tlsCertificate, tlsKey, tlsTrusted, false));
    }
}
