package org.dicomrelay.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;

/**
 * How old a message from another router may be (router.yaml {@code link}): a frame sent more
 * than {@code maxMessageAgeMinutes} ago (default 10) or dated more than {@code maxClockSkewMinutes}
 * ahead of this router's clock (default 2) is refused as a possible replay.
 */
public record Link(@JsonProperty("maxMessageAgeMinutes") Integer maxMessageAgeMinutes,
                   @JsonProperty("maxClockSkewMinutes") Integer maxClockSkewMinutes) {
    public static final Link DEFAULT = new Link(null, null);

    public Link {
        if (maxMessageAgeMinutes == null) maxMessageAgeMinutes = 10;
        if (maxClockSkewMinutes == null) maxClockSkewMinutes = 2;
        if (maxMessageAgeMinutes < 1) throw new IllegalArgumentException("link.maxMessageAgeMinutes must be at least 1");
        if (maxClockSkewMinutes < 0) throw new IllegalArgumentException("link.maxClockSkewMinutes must not be negative");
    }

    public Duration maxMessageAge() {
        return Duration.ofMinutes(maxMessageAgeMinutes);
    }

    public Duration maxClockSkew() {
        return Duration.ofMinutes(maxClockSkewMinutes);
    }
}
