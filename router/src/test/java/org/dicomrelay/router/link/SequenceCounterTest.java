package org.dicomrelay.router.link;

import org.dicomrelay.testkit.MovableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 9, link protocol v2: a sender's sequence numbers per recipient only ever increase, across restarts too. */
class SequenceCounterTest {
    @TempDir Path state;

    @Test void numbersIncreasePerRecipientAndAcrossRestartsEvenWithTheClockSetBack() throws IOException {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-04T12:00:00Z"));
        long last;
        try (SequenceCounter c = new SequenceCounter(state.resolve("sequence"), clock)) {
            long first = c.next("hospital-b");
            assertThat(first).as("starts at the clock × 1024").isEqualTo(clock.millis() * 1024);
            for (int i = 1; i < SequenceCounter.BLOCK + 10; i++) assertThat(c.next("hospital-b")).isEqualTo(first + i);
            last = first + SequenceCounter.BLOCK + 9;
            assertThat(c.next("hospital-x")).as("another recipient, another series").isEqualTo(clock.millis() * 1024);
        }
        clock.advance(Duration.ofDays(-1)); // the clock set back: the reservation on disk wins
        try (SequenceCounter c = new SequenceCounter(state.resolve("sequence"), clock)) {
            assertThat(c.next("hospital-b")).isGreaterThan(last);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("sequence/hospital-b")))).isEqualTo("rw-------");
    }

    @Test void aRouterThatLostItsStateStillStartsAboveWhatItSentBefore() throws IOException {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-04T12:00:00Z"));
        long before;
        try (SequenceCounter c = new SequenceCounter(state.resolve("old"), clock)) {
            for (int i = 0; i < 5000; i++) c.next("hospital-b");
            before = c.next("hospital-b");
        }
        clock.advance(Duration.ofSeconds(1));
        try (SequenceCounter c = new SequenceCounter(state.resolve("new"), clock)) {
            assertThat(c.next("hospital-b")).isGreaterThan(before);
        }
    }
}
