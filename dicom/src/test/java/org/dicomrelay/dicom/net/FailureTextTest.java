package org.dicomrelay.dicom.net;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.SocketTimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/** Logs people can act on: what went wrong never reads "null", and the cause that says more is named. */
class FailureTextTest {

    @Test void causesNeverSayNull() {
        assertThat(FailureText.of(new NullPointerException())).isEqualTo("NullPointerException");
        assertThat(FailureText.of(new IOException(new SocketTimeoutException("Read timed out")))).contains("Read timed out");
        assertThat(FailureText.of(new IOException("upload failed", new SocketTimeoutException()))).isEqualTo("upload failed (SocketTimeoutException)");
        assertThat(FailureText.of(null)).isEqualTo("unknown cause");
    }
}
