package org.dicomrelay.providers.azure;

import com.azure.core.exception.AzureException;
import com.azure.core.exception.HttpResponseException;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.queue.models.QueueStorageException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import org.dicomrelay.dicom.net.FailureText;

/**
 * The SDK's unchecked exceptions as the IOExceptions Cloud IO callers handle. Messages are built
 * here from the service's error code and HTTP status: the SDK's own text quotes the response
 * body and may quote the request URL, which with a SAS token carries the signature.
 */
final class AzureFailures {
    private AzureFailures() {}

    static IOException io(String what, RuntimeException e) {
        if (interrupted(e)) {
            InterruptedIOException i = new InterruptedIOException(what + " interrupted");
            i.initCause(e);
            return i;
        }
        return new IOException(what + " failed: " + describe(e), e);
    }

    private static boolean interrupted(Throwable e) {
        if (Thread.currentThread().isInterrupted()) return true;
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof InterruptedException || c instanceof InterruptedIOException) return true;
        }
        return false;
    }

    static FileNotFoundException notFound(String what, RuntimeException e) {
        FileNotFoundException f = new FileNotFoundException(what + ": no such blob (" + describe(e) + ")");
        f.initCause(e);
        return f;
    }

    static int status(RuntimeException e) {
        return e instanceof HttpResponseException h && h.getResponse() != null ? h.getResponse().getStatusCode() : -1;
    }

    /** The service's error code ("BlobNotFound", "PopReceiptMismatch"), or null. */
    static String code(RuntimeException e) {
        if (e instanceof BlobStorageException b) return b.getErrorCode() == null ? null : b.getErrorCode().toString();
        if (e instanceof QueueStorageException q) return q.getErrorCode() == null ? null : q.getErrorCode().toString();
        return null;
    }

    static String describe(RuntimeException e) {
        if (e instanceof HttpResponseException) {
            String code = code(e);
            return (code == null || code.isBlank() ? e.getClass().getSimpleName() : code) + ", HTTP " + status(e);
        }
        // Connection failures: the cause names the address and the reason; the SDK's text says more than we can vouch for.
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        if (e instanceof AzureException && e.getCause() == null) return e.getClass().getSimpleName();
        return FailureText.of(cause);
    }
}
