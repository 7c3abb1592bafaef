package org.dicomrelay.dicom.net.dimse;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Message IDs for the requests of one association: 1, 2, ... 65535, then 1 again (0 is never
 * given). Safe for concurrent use.
 */
public final class MessageIdSequence {
    private static final int MAX = 0xFFFF;
    private final AtomicInteger last;

    public MessageIdSequence() {
        this(1);
    }

    /** A sequence whose first ID is {@code first} (1 to 65535). */
    public MessageIdSequence(int first) {
        if (first < 1 || first > MAX) throw new IllegalArgumentException("message IDs run from 1 to 65535: " + first);
        last = new AtomicInteger(first - 1);
    }

    public int next() {
        return last.updateAndGet(v -> v >= MAX ? 1 : v + 1);
    }
}
