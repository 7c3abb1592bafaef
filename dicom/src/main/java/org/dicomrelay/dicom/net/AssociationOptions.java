package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.Implementation;
import org.dicomrelay.dicom.net.tls.DicomTls;

import java.time.Duration;

/**
 * Limits and timers of one association. Zero durations mean "wait forever" where the standard
 * allows it (idle, DIMSE response); ARTIM is always bounded.
 *
 * @param maxPduReceive the maximum P-DATA-TF length we announce (0 = unlimited)
 * @param maxPduSend    the cap on what we send even if the peer allows more (0 = the peer's limit)
 * @param idleTimeout   an established association with no message under way and none to answer
 *                      is aborted after this long without a PDU (0 = never)
 * @param writeTimeout  a peer that stops reading for this long while we send is cut off (a blocked
 *                      write would otherwise hold a thread forever)
 * @param readTimeout   a PDU, or the next PDU of a message begun, must arrive within this long
 *                      (0 = no limit): a peer that stalls mid-message is cut off
 * @param tls           DICOM TLS (PS3.15 Annex B) on the connection, or null for plain TCP; the
 *                      handshake is bounded by {@code artim}
 */
public record AssociationOptions(long maxPduReceive, long maxPduSend, Duration connectTimeout, Duration artim,
                                 Duration idleTimeout, Duration dimseTimeout, Duration releaseTimeout,
                                 String implementationClassUid, String implementationVersionName, Duration writeTimeout,
                                 Duration readTimeout, DicomTls tls) {

    /** A PDU that takes longer than this once due is a stalled peer: even 256 KiB at a few KiB/s arrives within it. */
    private static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

    public static final AssociationOptions DEFAULT = new AssociationOptions(
            256 * 1024, 256 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(10),
            Duration.ZERO, Duration.ZERO, Duration.ofSeconds(10),
            Implementation.CLASS_UID, Implementation.VERSION_NAME, Duration.ofSeconds(60), DEFAULT_READ_TIMEOUT, null);

    /** As before the read timeout existed: it takes its default (60 s). */
    public AssociationOptions(long maxPduReceive, long maxPduSend, Duration connectTimeout, Duration artim, Duration idleTimeout,
                              Duration dimseTimeout, Duration releaseTimeout, String implementationClassUid,
                              String implementationVersionName, Duration writeTimeout) {
        this(maxPduReceive, maxPduSend, connectTimeout, artim, idleTimeout, dimseTimeout, releaseTimeout, implementationClassUid,
                implementationVersionName, writeTimeout, DEFAULT_READ_TIMEOUT, null);
    }

    public AssociationOptions withArtim(Duration d) {
        return new AssociationOptions(maxPduReceive, maxPduSend, connectTimeout, d, idleTimeout, dimseTimeout, releaseTimeout,
                implementationClassUid, implementationVersionName, writeTimeout, readTimeout, tls);
    }

    public AssociationOptions withIdleTimeout(Duration d) {
        return new AssociationOptions(maxPduReceive, maxPduSend, connectTimeout, artim, d, dimseTimeout, releaseTimeout,
                implementationClassUid, implementationVersionName, writeTimeout, readTimeout, tls);
    }

    public AssociationOptions withDimseTimeout(Duration d) {
        return new AssociationOptions(maxPduReceive, maxPduSend, connectTimeout, artim, idleTimeout, d, releaseTimeout,
                implementationClassUid, implementationVersionName, writeTimeout, readTimeout, tls);
    }

    public AssociationOptions withWriteTimeout(Duration d) {
        return new AssociationOptions(maxPduReceive, maxPduSend, connectTimeout, artim, idleTimeout, dimseTimeout, releaseTimeout,
                implementationClassUid, implementationVersionName, d, readTimeout, tls);
    }

    public AssociationOptions withMaxPdu(long receive, long send) {
        return new AssociationOptions(receive, send, connectTimeout, artim, idleTimeout, dimseTimeout, releaseTimeout,
                implementationClassUid, implementationVersionName, writeTimeout, readTimeout, tls);
    }

    public AssociationOptions withReadTimeout(Duration d) {
        return new AssociationOptions(maxPduReceive, maxPduSend, connectTimeout, artim, idleTimeout, dimseTimeout, releaseTimeout,
                implementationClassUid, implementationVersionName, writeTimeout, d, tls);
    }

    /** The same over TLS with {@code t} (null: plain TCP). */
    public AssociationOptions withTls(DicomTls t) {
        return new AssociationOptions(maxPduReceive, maxPduSend, connectTimeout, artim, idleTimeout, dimseTimeout, releaseTimeout,
                implementationClassUid, implementationVersionName, writeTimeout, readTimeout, t);
    }
}
