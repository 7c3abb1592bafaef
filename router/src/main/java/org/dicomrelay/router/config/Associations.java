package org.dicomrelay.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;

/**
 * Limits on the associations local devices open to the router: how long an established
 * association may sit idle (Orthanc's DicomScpTimeout, 30 s by default), how long a PDU may take
 * to arrive once begun, and how many associations one device may hold, so that one device cannot
 * lock the others out.
 */
public record Associations(@JsonProperty("idleTimeoutSeconds") Integer idleTimeoutSeconds,
                           @JsonProperty("readTimeoutSeconds") Integer readTimeoutSeconds,
                           @JsonProperty("maxPerDevice") Integer maxPerDevice) {
    public static final Associations DEFAULT = new Associations(null, null, null);

    public Associations {
        if (idleTimeoutSeconds == null) idleTimeoutSeconds = 30;
        if (readTimeoutSeconds == null) readTimeoutSeconds = 60;
        if (maxPerDevice == null) maxPerDevice = 16;
        if (idleTimeoutSeconds < 1) throw new IllegalArgumentException("associations.idleTimeoutSeconds must be at least 1");
        if (readTimeoutSeconds < 1) throw new IllegalArgumentException("associations.readTimeoutSeconds must be at least 1");
        if (maxPerDevice < 1) throw new IllegalArgumentException("associations.maxPerDevice must be at least 1");
    }

    public Duration idleTimeout() { return Duration.ofSeconds(idleTimeoutSeconds); }

    public Duration readTimeout() { return Duration.ofSeconds(readTimeoutSeconds); }
}
