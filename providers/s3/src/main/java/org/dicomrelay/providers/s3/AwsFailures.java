package org.dicomrelay.providers.s3;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import org.dicomrelay.dicom.net.FailureText;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The SDK's unchecked exceptions as the IOExceptions Cloud IO callers handle. Messages are built
 * here from the error code and HTTP status (the SDK's own text may say "Request ID: null"); they
 * never carry credentials, which the SDK does not put into exceptions either.
 */
final class AwsFailures {
    private AwsFailures() {}

    static IOException io(String what, SdkException e) {
        if (e instanceof AbortedException) {
            InterruptedIOException i = new InterruptedIOException(what + " interrupted");
            i.initCause(e);
            return i;
        }
        return new IOException(what + " failed: " + describe(e), e);
    }

    static FileNotFoundException notFound(String what, SdkException e) {
        FileNotFoundException f = new FileNotFoundException(what + ": no such blob (" + describe(e) + ")");
        f.initCause(e);
        return f;
    }

    static boolean isNotFound(SdkException e) {
        return e instanceof AwsServiceException a && a.statusCode() == 404;
    }

    static boolean isStatus(SdkException e, int status) {
        return e instanceof AwsServiceException a && a.statusCode() == status;
    }

    static String describe(SdkException e) {
        if (e instanceof AwsServiceException a) {
            String code = a.awsErrorDetails() != null ? a.awsErrorDetails().errorCode() : null;
            return (code == null || code.isBlank() ? a.getClass().getSimpleName() : code) + ", HTTP " + a.statusCode();
        }
        return e.getCause() != null ? FailureText.of(e.getCause()) : FailureText.of(e);
    }
}
