package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.Implementation;

import java.time.Duration;

/**
 * Limits and timers of one association. Zero durations mean "wait forever" where the standard
 * allows it (idle, DIMSE response); ARTIM is always bounded.
 *
 * @param maxPduReceive the maximum P-DATA-TF length we announce (0 = unlimited)
 * @param maxPduSend    the cap on what we send even if the peer allows more (0 = the peer's limit)
 */
public record AssociationOptions(long maxPduReceive, long maxPduSend, Duration connectTimeout, Duration artim,
                                 Duration idleTimeout, Duration dimseTimeout, Duration releaseTimeout,
                                 String implementationClassUid, String implementationVersionName) {

    public static final AssociationOptions DEFAULT = new AssociationOptions(
            256 * 1024, 256 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(10),
            Duration.ZERO, Duration.ZERO, Duration.ofSeconds(10),
            Implementation.CLASS_UID, Implementation.VERSION_NAME);

    public AssociationOptions withArtim(Duration d) {
        return new AssociationOptions(maxPduReceive, maxPduSend, connectTimeout, d, idleTimeout, dimseTimeout, releaseTimeout,
                implementationClassUid, implementationVersionName);
    }

    public AssociationOptions withIdleTimeout(Duration d) {
        return new AssociationOptions(maxPduReceive, maxPduSend, connectTimeout, artim, d, dimseTimeout, releaseTimeout,
                implementationClassUid, implementationVersionName);
    }

    public AssociationOptions withDimseTimeout(Duration d) {
        return new AssociationOptions(maxPduReceive, maxPduSend, connectTimeout, artim, idleTimeout, d, releaseTimeout,
                implementationClassUid, implementationVersionName);
    }

    public AssociationOptions withMaxPdu(long receive, long send) {
        return new AssociationOptions(receive, send, connectTimeout, artim, idleTimeout, dimseTimeout, releaseTimeout,
                implementationClassUid, implementationVersionName);
    }
}
