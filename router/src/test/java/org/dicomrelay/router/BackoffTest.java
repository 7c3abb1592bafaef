package org.dicomrelay.router;

import org.dicomrelay.router.config.RetryPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Exponential back-off with equal jitter, within the operator's retry policy. */
class BackoffTest {
    private final RetryPolicy policy = new RetryPolicy(1, 300, 168);

    @Test void theCeilingDoublesFromTheInitialDelayUpToTheMaximum() {
        Backoff b = new Backoff(policy, () -> 1.0);
        assertThat(b.ceiling(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.ceiling(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(b.ceiling(5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(b.ceiling(9)).isEqualTo(Duration.ofSeconds(256));
        assertThat(b.ceiling(10)).isEqualTo(Duration.ofSeconds(300));
        assertThat(b.ceiling(10_000)).isEqualTo(Duration.ofSeconds(300));
    }

    @Test void everyDelayLiesBetweenHalfAndAllOfTheCeilingAndTheyAreSpread() {
        Random random = new Random(8);
        Backoff b = new Backoff(policy, random::nextDouble);
        for (int failures = 1; failures <= 12; failures++) {
            Duration ceiling = b.ceiling(failures);
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                Duration d = b.delay(failures);
                assertThat(d).isBetween(ceiling.dividedBy(2), ceiling);
                seen.add(d.toMillis());
            }
            assertThat(seen).as("jitter: routers recovering together do not retry in step").hasSizeGreaterThan(50);
        }
    }

    @Test void theExtremesOfTheJitter() {
        assertThat(new Backoff(policy, () -> 0.0).delay(4)).isEqualTo(Duration.ofSeconds(4));
        assertThat(new Backoff(policy, () -> 0.999999).delay(4)).isBetween(Duration.ofMillis(7990), Duration.ofSeconds(8));
    }
}
