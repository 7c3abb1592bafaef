package org.dicomrelay.console;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Lock-out after repeated failed sign-ins (OWASP Authentication: per account and per address). */
class SignInThrottleTest {
    private final MutableClock clock = new MutableClock();
    private final SignInThrottle t = new SignInThrottle(clock, 3, Duration.ofMinutes(5));

    @Test void anAccountIsLockedAfterNFailuresUntilTheLockoutPasses() {
        for (int i = 0; i < 2; i++) t.failed("alice", "10.0.0." + i);
        assertThat(t.lockedUntil("alice", "10.0.0.9")).isEmpty();
        t.failed("alice", "10.0.0.3");
        assertThat(t.lockedUntil("alice", "10.0.0.9")).isPresent(); // from any address
        assertThat(t.lockedUntil("bob", "10.0.0.9")).isEmpty();
        clock.advance(Duration.ofMinutes(5));
        assertThat(t.lockedUntil("alice", "10.0.0.9")).isEmpty();
        t.failed("alice", "10.0.0.4"); // still over the count: one more failure locks again
        assertThat(t.lockedUntil("alice", "10.0.0.9")).isPresent();
    }

    @Test void anAddressIsLockedAfterNFailuresWhateverTheUser() {
        t.failed("a", "192.0.2.1");
        t.failed("b", "192.0.2.1");
        t.failed("c", "192.0.2.1");
        assertThat(t.lockedUntil("d", "192.0.2.1")).isPresent();
        assertThat(t.lockedUntil("d", "192.0.2.2")).isEmpty();
    }

    @Test void aSuccessClearsTheCount() {
        t.failed("alice", "192.0.2.1");
        t.failed("alice", "192.0.2.1");
        t.succeeded("alice", "192.0.2.1");
        t.failed("alice", "192.0.2.1");
        t.failed("alice", "192.0.2.1");
        assertThat(t.lockedUntil("alice", "192.0.2.1")).isEmpty();
    }
}
