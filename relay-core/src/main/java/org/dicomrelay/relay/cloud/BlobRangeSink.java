package org.dicomrelay.relay.cloud;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where {@link BridgeTransport#readBlobRange} delivers the bytes of a range as they arrive, in
 * order, from one thread at a time. Throwing from either method cancels the range (its future fails).
 */
public interface BlobRangeSink {
    /** The answer began: the blob's whole size if it is complete, -1 while it is still being uploaded. */
    void started(long blobSize) throws IOException;

    /** The next bytes of the range (consumed by the call: the buffer is the transport's). */
    void accept(ByteBuffer bytes) throws IOException;
}
