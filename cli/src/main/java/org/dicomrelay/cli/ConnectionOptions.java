package org.dicomrelay.cli;

import org.dicomrelay.dicom.net.AssociationOptions;
import picocli.CommandLine.Option;

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

    AssociationOptions options() {
        AssociationOptions d = AssociationOptions.DEFAULT;
        return new AssociationOptions(maxPdu, d.maxPduSend(), Duration.ofSeconds(connectTimeout), d.artim(), d.idleTimeout(),
                Duration.ofSeconds(dimseTimeout), d.releaseTimeout(), d.implementationClassUid(), d.implementationVersionName(), d.writeTimeout());
    }
}
