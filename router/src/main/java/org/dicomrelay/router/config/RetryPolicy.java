package org.dicomrelay.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;

/**
 * The operator's retry policy for objects the router has acknowledged: transient failures are
 * retried with exponential back-off (and jitter) from {@code initialDelaySeconds} up to
 * {@code maxDelaySeconds}, for {@code giveUpAfterHours} (default a week); after that, or at once
 * on a permanent refusal, the object is dead-lettered with its status for an operator.
 */
public record RetryPolicy(@JsonProperty("initialDelaySeconds") Integer initialDelaySeconds,
                    @JsonProperty("maxDelaySeconds") Integer maxDelaySeconds,
                    @JsonProperty("giveUpAfterHours") Integer giveUpAfterHours) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(null, null, null);

    public RetryPolicy {
        if (initialDelaySeconds == null) initialDelaySeconds = 1;
        if (maxDelaySeconds == null) maxDelaySeconds = 300;
        if (giveUpAfterHours == null) giveUpAfterHours = 168;
        if (initialDelaySeconds < 1) throw new IllegalArgumentException("retry.initialDelaySeconds must be at least 1");
        if (maxDelaySeconds < initialDelaySeconds) throw new IllegalArgumentException("retry.maxDelaySeconds must be at least retry.initialDelaySeconds");
        if (giveUpAfterHours < 1) throw new IllegalArgumentException("retry.giveUpAfterHours must be at least 1");
    }

    public Duration initialDelay() { return Duration.ofSeconds(initialDelaySeconds); }

    public Duration maxDelay() { return Duration.ofSeconds(maxDelaySeconds); }

    public Duration giveUpAfter() { return Duration.ofHours(giveUpAfterHours); }
}
