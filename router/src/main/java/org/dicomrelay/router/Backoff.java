package org.dicomrelay.router;

import org.dicomrelay.router.config.RetryPolicy;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential back-off with jitter for a destination that keeps failing: the n-th consecutive
 * failure waits between half and all of {@code initialDelay · 2^(n-1)}, capped at {@code maxDelay}
 * ("equal jitter"), so that routers and destinations recovering together do not retry in step.
 */
final class Backoff {
    private final RetryPolicy policy;
    private final DoubleSupplier random;

    Backoff(RetryPolicy policy, DoubleSupplier random) {
        this.policy = policy;
        this.random = random;
    }

    /** The wait after {@code failures} consecutive failures (1 for the first). */
    Duration delay(int failures) {
        long ceiling = ceiling(failures).toMillis();
        long half = ceiling / 2;
        return Duration.ofMillis(half + (long) (random.getAsDouble() * (ceiling - half)));
    }

    /** The un-jittered delay: initial · 2^(failures-1), at most the policy's maximum. */
    Duration ceiling(int failures) {
        long initial = policy.initialDelay().toMillis(), max = policy.maxDelay().toMillis();
        int doublings = Math.min(Math.max(failures, 1) - 1, 40);
        long d = initial;
        for (int i = 0; i < doublings && d < max; i++) d *= 2;
        return Duration.ofMillis(Math.min(d, max));
    }
}
