package org.dicomrelay.router.link;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Clock;
import java.time.Instant;

/**
 * Whether the router's cloud provider answers: the time of its last answer to the inbox poll (a
 * cheap call, made at least every long-poll period) and of the last failure, with its reason.
 * The status page's "cloud reachable".
 */
public final class CloudReach {
    /** What the status page shows; times ISO-8601, null when none since the router started. */
    public record View(@JsonProperty("reachable") boolean reachable, @JsonProperty("lastSuccess") String lastSuccess,
                       @JsonProperty("lastFailure") String lastFailure, @JsonProperty("lastError") String lastError) {}

    private final Clock clock;
    private Instant lastSuccess, lastFailure;
    private String lastError;

    public CloudReach(Clock clock) {
        this.clock = clock;
    }

    synchronized void answered() {
        lastSuccess = clock.instant();
    }

    synchronized void failed(String reason) {
        lastFailure = clock.instant();
        lastError = reason;
    }

    /** Reachable when the last call answered (a failure after it says no). */
    public synchronized View view() {
        boolean reachable = lastSuccess != null && (lastFailure == null || lastSuccess.isAfter(lastFailure));
        return new View(reachable, text(lastSuccess), text(lastFailure), lastError);
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }
}
