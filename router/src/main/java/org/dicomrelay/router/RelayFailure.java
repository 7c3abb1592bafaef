package org.dicomrelay.router;

import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.dicom.net.service.DicomServiceException;
import org.dicomrelay.relay.bridge.BridgeAuthException;
import org.dicomrelay.relay.bridge.BridgeUnreachableException;

import java.time.Duration;

/**
 * Why a relayed request failed at the relay (not at the remote device), as the DIMSE status and
 * Error Comment (0000,0902) the requesting device is answered with: a status, never an aborted
 * association.
 *
 * @param status  0124 (not authorized) when this router's credentials are refused, else the
 *                service's own failure for the case (C-ECHO 0110, C-FIND A700, C-MOVE/C-GET A701/A702)
 * @param comment the cause in a few words
 */
record RelayFailure(int status, String comment) {
    static final int NOT_AUTHORIZED = 0x0124;

    /** This router's credentials are refused by the Bridge: nothing can be relayed. */
    static RelayFailure revoked() {
        return new RelayFailure(NOT_AUTHORIZED, Authority.REFUSED);
    }

    /** A failure to send (or a refusal of this router's credentials); {@code otherwise} is the status for any other cause. */
    static RelayFailure of(Throwable e, int otherwise) {
        if (e instanceof Authority.RevokedException || e instanceof BridgeAuthException) return revoked();
        if (e instanceof BridgeUnreachableException) return new RelayFailure(otherwise, "relay failed: the Bridge is unreachable");
        return new RelayFailure(otherwise, "relay failed: " + FailureText.of(e));
    }

    /** The other router did not answer in time. */
    static RelayFailure noAnswer(String routerId, Duration waited, int status) {
        return new RelayFailure(status, "no answer from router " + routerId + " within " + waited.toSeconds() + " s");
    }

    DicomServiceException exception() {
        return new DicomServiceException(status, comment);
    }
}
