package org.dicomrelay.dicom.net;

import java.util.function.Consumer;

/**
 * At most {@code maxAssociations} associations per {@link Caller}, so that one device cannot take
 * every thread of a server. The excess is refused with A-ASSOCIATE-RJ transient, service provider
 * (presentation), local limit exceeded (PS3.8 §9.3.4): the device may try again later.
 *
 * @param onRefused told of each refusal, so that its owner can log them summarised; the server
 *                  logs none itself
 */
public record CallerLimit(int maxAssociations, Consumer<Caller> onRefused) {
    public CallerLimit {
        if (maxAssociations < 1) throw new IllegalArgumentException("maxAssociations per caller must be at least 1, is " + maxAssociations);
        if (onRefused == null) throw new IllegalArgumentException("onRefused is required");
    }
}
