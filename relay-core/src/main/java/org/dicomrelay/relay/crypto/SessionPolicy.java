package org.dicomrelay.relay.crypto;

import java.time.Duration;

/**
 * When link sessions rotate (router.yaml {@code link}).
 *
 * @param maxAge      a sender's session is replaced after this long (default 1 h)
 * @param maxBytes    ... or after this many plaintext bytes (default 1 GiB)
 * @param maxMessages ... or after this many messages (default 100,000)
 * @param keyRotation a router's session key pair is replaced this often (default 24 h); each is
 *                    usable for two periods, then its private half is deleted
 * @param inFlight    how long a message may be under way (the maximum message age plus the
 *                    allowed clock skew): session keys are kept this much longer than they are used
 */
public record SessionPolicy(Duration maxAge, long maxBytes, long maxMessages, Duration keyRotation, Duration inFlight) {
    public static final SessionPolicy DEFAULT = new SessionPolicy(Duration.ofHours(1), 1L << 30, 100_000, Duration.ofHours(24),
            Duration.ofMinutes(12));

    public SessionPolicy {
        if (maxAge.isNegative() || maxAge.isZero()) throw new IllegalArgumentException("session maximum age must be positive");
        if (maxBytes < 1 || maxMessages < 1) throw new IllegalArgumentException("session volume limits must be positive");
        if (keyRotation.compareTo(maxAge) < 0) {
            throw new IllegalArgumentException("session keys must rotate no more often than sessions (" + keyRotation + " < " + maxAge + ")");
        }
        if (inFlight.isNegative()) throw new IllegalArgumentException("in-flight time must not be negative");
    }
}
