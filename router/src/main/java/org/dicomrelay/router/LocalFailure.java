package org.dicomrelay.router;

import org.dicomrelay.dicom.net.AssociationRejectedException;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.dicom.net.dimse.Status;
import org.dicomrelay.dicom.net.pdu.AAssociateRj;
import org.dicomrelay.relay.crypto.EnvelopeException;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.link.CorruptPayloadException;
import org.dicomrelay.router.link.Failure;
import org.dicomrelay.router.link.LinkMessage;
import org.dicomrelay.router.link.PayloadTooLargeException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/**
 * Why an operation against a local device (the PACS behind this router) failed, as the
 * requesting router needs it: the DICOM status, an error comment naming the device and the
 * cause, and whether retrying can help (PS3.4 Annex B.2.3: A7xx "out of resources" may pass,
 * A9xx/Cxxx "data set does not match" / "cannot understand" will not).
 */
record LocalFailure(int status, String error, Failure failure) {

    /** The answer to {@code request} that carries this failure: its status, error and failure class. */
    LinkMessage.Answer answer(LinkMessage.Request request) {
        return request.failed(status, error, failure);
    }

    /**
     * A failure status the device answered (C-STORE-RSP, C-FIND-RSP...): A7xx out of resources,
     * 0110 processing failure, 0210 duplicate invocation and 0213 resource limitation may pass;
     * every other failure is the device refusing this request, which a retry repeats.
     */
    static LocalFailure ofStatus(Device d, int status, String comment) {
        Status s = Status.of(status);
        String error = d.aeTitle() + " at " + where(d) + " answered " + String.format("%04XH", status) + " (" + s.meaning() + ")"
                + (comment == null || comment.isBlank() ? "" : ": " + comment);
        return new LocalFailure(status, error, classify(status));
    }

    /** One table for both routers: router A's ({@link DeliveryOutcome#ofStoreStatus}), so a hint never contradicts it. */
    static Failure classify(int status) {
        return DeliveryOutcome.ofStoreStatus(status) == DeliveryOutcome.PERMANENT ? Failure.PERMANENT : Failure.TRANSIENT;
    }

    /**
     * A failure to talk to the device at all, or mid-operation. {@code statusIfNone} is the
     * service's "out of resources" status (A700 for C-STORE and C-FIND, A702 for a retrieve),
     * used when the device gave no status.
     */
    static LocalFailure of(Device d, Exception e, int statusIfNone) {
        String at = d.aeTitle() + " at " + where(d);
        if (e instanceof ContextRefusedException refused) {
            return new LocalFailure(Status.SOP_CLASS_NOT_SUPPORTED.code(), at + " " + refused.getMessage(), Failure.PERMANENT);
        }
        if (e instanceof AssociationRejectedException rj) {
            AAssociateRj pdu = rj.reject();
            if (pdu.result() == AAssociateRj.RESULT_TRANSIENT) {
                return new LocalFailure(statusIfNone, "association rejected (transient) by " + at + ": " + pdu, Failure.TRANSIENT);
            }
            int status = pdu.source() == AAssociateRj.SOURCE_SERVICE_USER && pdu.reason() == AAssociateRj.CALLING_AE_TITLE_NOT_RECOGNIZED
                    ? Status.NOT_AUTHORIZED.code() : Status.PROCESSING_FAILURE.code();
            return new LocalFailure(status, "association rejected (permanent) by " + at + ": " + pdu, Failure.PERMANENT);
        }
        if (e instanceof RuntimeException) {
            // A fault of this router, not a refusal of the object: an acknowledged object is never dead-lettered for it.
            return new LocalFailure(Status.PROCESSING_FAILURE.code(), "router could not perform the request for " + at + ": " + FailureText.of(e),
                    Failure.TRANSIENT);
        }
        String error;
        if (has(e, ConnectException.class)) error = at + " refused the connection";
        else if (has(e, UnknownHostException.class) || has(e, NoRouteToHostException.class)) error = at + " is unreachable: " + FailureText.of(e);
        else if (has(e, SocketTimeoutException.class)) error = "no response from " + at + ": " + FailureText.of(e);
        else error = at + ": " + FailureText.of(e);
        return new LocalFailure(statusIfNone, error, Failure.TRANSIENT);
    }

    /** This router could not receive the object it was sent (its disk, the payload in the cloud): a resend may do. */
    static LocalFailure notReceived(Exception e) {
        if (has(e, PayloadTooLargeException.class) || has(e, CorruptPayloadException.class)) {
            // Sent again it would be refused again: the sender dead-letters it with this reason.
            return new LocalFailure(Status.OUT_OF_RESOURCES.code(), "the performing router refused the object: " + FailureText.of(e),
                    Failure.PERMANENT);
        }
        String why = authentication(e);
        return new LocalFailure(Status.OUT_OF_RESOURCES.code(), "the performing router could not receive the object: "
                + (why != null ? why : FailureText.of(e)), Failure.TRANSIENT);
    }

    /**
     * The payload failed while it streamed into the device: a segment that failed authentication
     * (forged or altered), a payload cut short, or the cloud's read. The C-STORE was aborted, so
     * the device kept nothing; the sender's own object, sent again, may pass.
     */
    static LocalFailure payloadCut(Device d, Exception e) {
        if (has(e, PayloadTooLargeException.class)) return notReceived(e);
        CorruptPayloadException corrupt = find(e, CorruptPayloadException.class);
        if (corrupt != null) {
            // Sent again it would be compressed the same way: the sender dead-letters it with this reason.
            return new LocalFailure(Status.OUT_OF_RESOURCES.code(), "the performing router refused the object: " + corrupt.getMessage()
                    + "; the C-STORE to " + d.aeTitle() + " at " + where(d) + " was aborted, nothing stored", Failure.PERMANENT);
        }
        String why = authentication(e);
        if (why == null) why = "the payload could not be read to its end from the cloud: " + FailureText.of(e);
        return new LocalFailure(Status.OUT_OF_RESOURCES.code(), why + "; the C-STORE to " + d.aeTitle() + " at " + where(d)
                + " was aborted, nothing stored", Failure.TRANSIENT);
    }

    /** Why a payload failed authentication, or null if that is not why it failed. */
    private static String authentication(Exception e) {
        EnvelopeException env = find(e, EnvelopeException.class);
        // Its own message says what failed ("ciphertext modified or truncated: message … from …"); Tink's cause below it dumps
        // decrypter state.
        return env == null ? null : "the payload failed authentication: " + env.getMessage();
    }

    /** The called AE is not exported for that service here: the other router's table is out of date or wrong. */
    static LocalFailure notExported(String calledAe, Object service) {
        return new LocalFailure(Status.NOT_AUTHORIZED.code(), calledAe + " is not exported for " + service + " by the performing router",
                Failure.PERMANENT);
    }

    /**
     * The access matrix does not grant the sending router that service of the called AE. Transient:
     * the two routers read the matrix at their own syncs, so a grant router A already routes may not
     * have reached us yet; the sender retries instead of dropping what it acknowledged.
     */
    static LocalFailure notGranted(String routerId, String calledAe, Object service) {
        return new LocalFailure(Status.NOT_AUTHORIZED.code(), "router " + routerId + " is not authorized for " + service + " on " + calledAe
                + " (no grant in the Bridge's access matrix)", Failure.TRANSIENT);
    }

    private static String where(Device d) {
        return d.host() + ":" + d.port();
    }

    private static boolean has(Throwable t, Class<? extends Throwable> kind) {
        return find(t, kind) != null;
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> kind) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (kind.isInstance(c)) return kind.cast(c);
        }
        return null;
    }
}
