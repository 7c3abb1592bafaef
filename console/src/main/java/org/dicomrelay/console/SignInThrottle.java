package org.dicomrelay.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows password guessing: after {@code maxFailures} failed sign-ins in a row for one account, or
 * from one address, further attempts for it are refused for {@code lockout} (each further failure
 * after that locks it again). A success clears the account's and the address's count. Both tables
 * are bounded (the oldest entries go first), so random user names cannot fill the memory.
 */
public final class SignInThrottle {
    public static final int MAX_FAILURES = 5;
    public static final Duration LOCKOUT = Duration.ofMinutes(5);
    private static final int MAX_TRACKED = 10_000;

    private record Failures(int count, Instant last) {}

    private final Clock clock;
    private final int maxFailures;
    private final Duration lockout;
    private final Map<String, Failures> byUser = bounded(), byAddress = bounded();

    public SignInThrottle(Clock clock, int maxFailures, Duration lockout) {
        this.clock = clock;
        this.maxFailures = maxFailures;
        this.lockout = lockout;
    }

    public SignInThrottle(Clock clock) {
        this(clock, MAX_FAILURES, LOCKOUT);
    }

    /** Until when sign-ins for this user or from this address are refused; empty: they may try. */
    public synchronized Optional<Instant> lockedUntil(String user, String address) {
        Instant now = clock.instant();
        Instant until = later(until(byUser.get(user)), until(byAddress.get(address)));
        return until != null && now.isBefore(until) ? Optional.of(until) : Optional.empty();
    }

    public synchronized void failed(String user, String address) {
        Instant now = clock.instant();
        byUser.merge(user, new Failures(1, now), (a, b) -> new Failures(a.count() + 1, now));
        byAddress.merge(address, new Failures(1, now), (a, b) -> new Failures(a.count() + 1, now));
    }

    public synchronized void succeeded(String user, String address) {
        byUser.remove(user);
        byAddress.remove(address);
    }

    private Instant until(Failures f) {
        return f == null || f.count() < maxFailures ? null : f.last().plus(lockout);
    }

    private static Instant later(Instant a, Instant b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.isAfter(b) ? a : b;
    }

    private static Map<String, Failures> bounded() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
                return size() > MAX_TRACKED;
            }
        };
    }
}
