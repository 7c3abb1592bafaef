package org.dicomrelay.relay.cloud;

import java.util.Objects;

/**
 * One part of a blob upload to the Bridge: {@code length} bytes of {@code data}, starting at byte
 * {@code offset} of blob {@code name} for {@code recipient}; part {@code index} counts from 0, and
 * the one flagged {@code last} completes the blob.
 */
public record BlobPart(String name, String recipient, int index, long offset, byte[] data, int length, boolean last) {
    public BlobPart {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(data, "data");
        if (index < 0) throw new IllegalArgumentException("part index must not be negative");
        if (offset < 0) throw new IllegalArgumentException("part offset must not be negative");
        Objects.checkFromIndexSize(0, length, data.length);
    }
}
