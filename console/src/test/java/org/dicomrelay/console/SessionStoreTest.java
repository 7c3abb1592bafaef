package org.dicomrelay.console;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Server-side sessions (OWASP Session Management: idle and absolute timeouts, new id at sign-in). */
class SessionStoreTest {
    private final MutableClock clock = new MutableClock();
    private final Account alice = new Account("alice", Role.ADMIN, "$argon2id$x");

    @Test void aSessionLivesWhileUsedAndEndsAfterTheIdleTime() {
        SessionStore s = new SessionStore(clock, Duration.ofMinutes(30), Duration.ofHours(12), 10);
        ConsoleSession a = s.open(alice);
        clock.advance(Duration.ofMinutes(29));
        assertThat(s.touch(a.id())).isPresent();
        clock.advance(Duration.ofMinutes(29));
        assertThat(s.touch(a.id())).isPresent(); // touched: the idle time restarted
        clock.advance(Duration.ofMinutes(30));
        assertThat(s.touch(a.id())).isEmpty();
        assertThat(s.size()).isZero();
    }

    @Test void aSessionEndsAfterTheMaximumEvenWhenUsed() {
        SessionStore s = new SessionStore(clock, Duration.ofMinutes(30), Duration.ofHours(1), 10);
        ConsoleSession a = s.open(alice);
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMinutes(11));
            assertThat(s.touch(a.id())).isPresent();
        }
        clock.advance(Duration.ofMinutes(6));
        assertThat(s.touch(a.id())).isEmpty();
    }

    @Test void idsAndTokensAreFreshAndDistinct() {
        SessionStore s = new SessionStore(clock);
        ConsoleSession a = s.open(alice), b = s.open(alice);
        assertThat(a.id()).isNotEqualTo(b.id()).hasSizeGreaterThanOrEqualTo(43);
        assertThat(a.csrfToken()).isNotEqualTo(a.id()).isNotEqualTo(b.csrfToken());
        assertThat(a.toString()).doesNotContain(a.id()).doesNotContain(a.csrfToken());
    }

    @Test void signOutEndsTheSessionAndUnknownIdsFindNothing() {
        SessionStore s = new SessionStore(clock);
        ConsoleSession a = s.open(alice);
        s.close(a.id());
        assertThat(s.touch(a.id())).isEmpty();
        assertThat(s.touch(null)).isEmpty();
        assertThat(s.touch("forged")).isEmpty();
    }

    @Test void theOldestSessionGoesWhenTheStoreIsFull() {
        SessionStore s = new SessionStore(clock, Duration.ofMinutes(30), Duration.ofHours(12), 2);
        ConsoleSession first = s.open(alice);
        clock.advance(Duration.ofSeconds(1));
        ConsoleSession second = s.open(alice);
        clock.advance(Duration.ofSeconds(1));
        ConsoleSession third = s.open(alice);
        assertThat(s.size()).isEqualTo(2);
        assertThat(s.touch(first.id())).isEmpty();
        assertThat(s.touch(second.id())).isPresent();
        assertThat(s.touch(third.id())).isPresent();
    }
}
