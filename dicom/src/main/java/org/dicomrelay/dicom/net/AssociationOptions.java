package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.Implementation;

import java.time.Duration;

/**
 * Limits and timers of one association. Zero durations mean "wait forever" where the standard
 * allows it (idle, DIMSE response); ARTIM is always bounded.
 *
 * @param maxPduReceive the maximum P-DATA-TF length we announce (0 = unlimited)
 * @param maxPduSend    the cap on what we send even if the peer allows more (0 = the peer's limit)
 * @param writeTimeout  a peer that stops reading for this long while we send is cut off (a blocked
 *                      write would otherwise hold a thread forever)
 */
public record AssociationOptions(long maxPduReceive, long maxPduSend, Duration connectTimeout, Duration artim,
                                 Duration idleTimeout, Duration dimseTimeout, Duration releaseTimeout,
                                 String implementationClassUid, String implementationVersionName, Duration writeTimeout) {

    public static final AssociationOptions DEFAULT = new AssociationOptions(
            256 * 1024, 256 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(10),
            Duration.ZERO, Duration.ZERO, Duration.ofSeconds(10),
            Implementation.CLASS_UID, Implementation.VERSION_NAME, Duration.ofSeconds(60));

    public AssociationOptions withArtim(Duration d) {
        return new AssociationOptions(maxPduReceive, maxPduSend, connectTimeout, d, idleTimeout, dimseTimeout, releaseTimeout,
                implementationClassUid, implementationVersionName, writeTimeout);
    }

    public AssociationOptions withIdleTimeout(Duration d) {
        return new AssociationOptions(maxPduReceive, maxPduSend, connectTimeout, artim, d, dimseTimeout, releaseTimeout,
                implementationClassUid, implementationVersionName, writeTimeout);
    }

    public AssociationOptions withDimseTimeout(Duration d) {
        return new AssociationOptions(maxPduReceive, maxPduSend, connectTimeout, artim, idleTimeout, d, releaseTimeout,
                implementationClassUid, implementationVersionName, writeTimeout);
    }

    public AssociationOptions withWriteTimeout(Duration d) {
        return new AssociationOptions(maxPduReceive, maxPduSend, connectTimeout, artim, idleTimeout, dimseTimeout, releaseTimeout,
                implementationClassUid, implementationVersionName, d);
    }

    public AssociationOptions withMaxPdu(long receive, long send) {
        return new AssociationOptions(receive, send, connectTimeout, artim, idleTimeout, dimseTimeout, releaseTimeout,
                implementationClassUid, implementationVersionName, writeTimeout);
    }
}
