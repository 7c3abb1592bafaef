package org.dicomrelay.router.link;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Carries frames between routers. The cloud implementation seals every frame and payload for
 * the recipient (end-to-end encryption) and uses only random names; tests may use an in-memory one.
 */
public interface Courier extends Closeable {

    /** Writes a payload (e.g. a DICOM data set) into the stream it is given. */
    @FunctionalInterface
    interface PayloadWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Receives frames addressed to this router; {@code payload} is null when the frame has none. */
    @FunctionalInterface
    interface Listener {
        void onFrame(String fromRouterId, Frame frame, InputStream payload) throws IOException;
    }

    void send(String toRouterId, Frame frame, PayloadWriter payload) throws IOException;

    /** Starts delivering incoming frames to the listener (on courier threads). */
    void start(Listener listener);
}
