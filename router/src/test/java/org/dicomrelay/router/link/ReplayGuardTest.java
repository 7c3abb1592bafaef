package org.dicomrelay.router.link;

import org.dicomrelay.testkit.MovableClock;
import org.dicomrelay.router.link.ReplayGuard.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 9, "replays work": the receiver's memory of sequence numbers per sending router (window
 * edges, persistence across a restart, a torn write) and the age limits with an injected clock.
 */
class ReplayGuardTest {
    private static final Duration MAX_AGE = Duration.ofMinutes(10), SKEW = Duration.ofMinutes(2);
    @TempDir Path state;
    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-04T12:00:00Z"));

    private ReplayGuard guard() throws IOException {
        return new ReplayGuard(state.resolve("replay"), clock, MAX_AGE, SKEW);
    }

    private long now() {
        return clock.millis();
    }

    private static Verdict admit(ReplayGuard g, String sender, long sequence, long sentAt) {
        return admit(g, sender, sequence, sentAt, true);
    }

    private static Verdict admit(ReplayGuard g, String sender, long sequence, long sentAt, boolean durable) {
        return g.admit(java.util.List.of(new ReplayGuard.Message(sender, sequence, sentAt, durable))).verdicts().get(0);
    }

    @Test void answersAreRememberedInMemoryAndWrittenWithTheNextRequest() throws IOException {
        try (ReplayGuard g = guard()) {
            assertThat(admit(g, "hospital-a", 10, now(), false)).isEqualTo(Verdict.ADMITTED);
            assertThat(admit(g, "hospital-a", 10, now(), false)).as("refused while running").isEqualTo(Verdict.DUPLICATE);
            assertThat(Files.exists(state.resolve("replay/hospital-a")) && Files.size(state.resolve("replay/hospital-a")) > 0)
                    .as("no forced write for an answer").isFalse();
            assertThat(admit(g, "hospital-a", 11, now(), true)).isEqualTo(Verdict.ADMITTED);
        }
        try (ReplayGuard g = guard()) {
            assertThat(admit(g, "hospital-a", 10, now())).as("written with the request").isEqualTo(Verdict.DUPLICATE);
            assertThat(admit(g, "hospital-a", 12, now(), false)).isEqualTo(Verdict.ADMITTED);
        }
        try (ReplayGuard g = guard()) {
            assertThat(admit(g, "hospital-a", 12, now(), false)).as("an answer after a restart: its operation is gone anyway")
                    .isEqualTo(Verdict.ADMITTED);
        }
    }

    @Test void aBatchIsJudgedInOrderAndASenderWhoseMemoryCannotBeWrittenRunsNothing() throws IOException {
        Files.createDirectories(state.resolve("replay/hospital-z")); // where its record file should be: unwritable
        try (ReplayGuard g = guard()) {
            ReplayGuard.Judged j = g.admit(java.util.List.of(new ReplayGuard.Message("hospital-a", 7, now(), true),
                    new ReplayGuard.Message("hospital-x", 7, now(), true), new ReplayGuard.Message("hospital-a", 7, now(), true),
                    new ReplayGuard.Message("hospital-z", 7, now(), true), new ReplayGuard.Message("hospital-a", 8, now(), true)));
            assertThat(j.verdicts()).containsExactly(Verdict.ADMITTED, Verdict.ADMITTED, Verdict.DUPLICATE, Verdict.NOT_RECORDED,
                    Verdict.ADMITTED);
            assertThat(j.failure()).isNotNull();
            Files.delete(state.resolve("replay/hospital-z"));
            assertThat(admit(g, "hospital-z", 7, now(), true)).as("not recorded, so not seen").isEqualTo(Verdict.ADMITTED);
        }
        try (ReplayGuard g = guard()) {
            assertThat(admit(g, "hospital-a", 8, now(), true)).isEqualTo(Verdict.DUPLICATE);
            assertThat(admit(g, "hospital-x", 7, now(), true)).isEqualTo(Verdict.DUPLICATE);
        }
    }

    @Test void aSequenceNumberIsAdmittedOnceAndOutOfOrderWithinTheWindow() throws IOException {
        try (ReplayGuard g = guard()) {
            assertThat(admit(g, "hospital-a", 5000, now(), true)).isEqualTo(Verdict.ADMITTED);
            assertThat(admit(g, "hospital-a", 5000, now(), true)).isEqualTo(Verdict.DUPLICATE);
            assertThat(admit(g, "hospital-a", 4990, now(), true)).as("late, but within the window").isEqualTo(Verdict.ADMITTED);
            assertThat(admit(g, "hospital-a", 4990, now(), true)).isEqualTo(Verdict.DUPLICATE);
            assertThat(admit(g, "hospital-a", 6000, now(), true)).as("a gap forward (a sender's restart)").isEqualTo(Verdict.ADMITTED);
            assertThat(admit(g, "hospital-a", 5000, now(), true)).as("still remembered after the window moved").isEqualTo(Verdict.DUPLICATE);
            assertThat(admit(g, "hospital-a", 5001, now(), true)).as("never seen, still inside").isEqualTo(Verdict.ADMITTED);
            // Each sender has its own series.
            assertThat(admit(g, "hospital-x", 5000, now(), true)).isEqualTo(Verdict.ADMITTED);
        }
    }

    @Test void theWindowEdges() throws IOException {
        long top = 100_000;
        try (ReplayGuard g = guard()) {
            assertThat(admit(g, "hospital-a", top, now(), true)).isEqualTo(Verdict.ADMITTED);
            long lowest = top - ReplayGuard.WINDOW + 1;
            assertThat(admit(g, "hospital-a", lowest - 1, now(), true)).isEqualTo(Verdict.BELOW_WINDOW);
            assertThat(admit(g, "hospital-a", lowest, now(), true)).isEqualTo(Verdict.ADMITTED);
            assertThat(admit(g, "hospital-a", lowest, now(), true)).isEqualTo(Verdict.DUPLICATE);
            // Moving up by one pushes the lowest out of the window: now below it, not "unseen".
            assertThat(admit(g, "hospital-a", top + 1, now(), true)).isEqualTo(Verdict.ADMITTED);
            assertThat(admit(g, "hospital-a", lowest, now(), true)).isEqualTo(Verdict.BELOW_WINDOW);
            assertThat(admit(g, "hospital-a", top, now(), true)).isEqualTo(Verdict.DUPLICATE);
            // A jump of more than the window forgets everything below it.
            assertThat(admit(g, "hospital-a", top + 1 + ReplayGuard.WINDOW, now(), true)).isEqualTo(Verdict.ADMITTED);
            assertThat(admit(g, "hospital-a", top + 1, now(), true)).isEqualTo(Verdict.BELOW_WINDOW);
            assertThat(admit(g, "hospital-a", top + 2, now(), true)).isEqualTo(Verdict.ADMITTED);
        }
    }

    @Test void whatWasSeenIsRefusedAfterARestartAndTheFilesAreOwnerOnly() throws IOException {
        try (ReplayGuard g = guard()) {
            for (long s = 1; s <= 3000; s += 3) assertThat(admit(g, "hospital-a", s, now(), true)).isEqualTo(Verdict.ADMITTED);
        }
        try (ReplayGuard g = guard()) {
            assertThat(admit(g, "hospital-a", 2998, now(), true)).isEqualTo(Verdict.DUPLICATE);
            assertThat(admit(g, "hospital-a", 2999, now(), true)).isEqualTo(Verdict.ADMITTED);
            assertThat(admit(g, "hospital-a", 100, now(), true)).isEqualTo(Verdict.BELOW_WINDOW);
        }
        try (ReplayGuard g = guard()) {
            assertThat(admit(g, "hospital-a", 2999, now(), true)).as("admitted before the last restart").isEqualTo(Verdict.DUPLICATE);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("replay")))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("replay/hospital-a")))).isEqualTo("rw-------");
    }

    @Test void aWriteTornByACrashLosesOnlyThatWrite() throws IOException {
        try (ReplayGuard g = guard()) {
            assertThat(admit(g, "hospital-a", 10, now(), true)).isEqualTo(Verdict.ADMITTED);
            assertThat(admit(g, "hospital-a", 11, now(), true)).isEqualTo(Verdict.ADMITTED);
        }
        // Corrupt the newer slot (the one of sequence 11): the record of 10 survives.
        Path f = state.resolve("replay/hospital-a");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(20); // generation 2 is in slot 0, generation 1 in slot 1
            int b = raf.read();
            raf.seek(20);
            raf.write(b ^ 0x5a);
        }
        try (ReplayGuard g = guard()) {
            assertThat(admit(g, "hospital-a", 10, now(), true)).isEqualTo(Verdict.DUPLICATE);
        }
    }

    @Test void framesOlderThanTheMaximumAgeOrFromTooFarAheadAreRefusedAndNotRecorded() throws IOException {
        try (ReplayGuard g = guard()) {
            long sent = now();
            clock.advance(MAX_AGE.plusMillis(1));
            assertThat(admit(g, "hospital-a", 1, sent)).isEqualTo(Verdict.TOO_OLD);
            assertThat(admit(g, "hospital-a", 2, now() - MAX_AGE.toMillis())).as("exactly the maximum age").isEqualTo(Verdict.ADMITTED);
            assertThat(admit(g, "hospital-a", 3, now() + SKEW.toMillis() + 1)).isEqualTo(Verdict.FROM_THE_FUTURE);
            assertThat(admit(g, "hospital-a", 3, now() + SKEW.toMillis())).as("within the allowed skew; not recorded when refused")
                    .isEqualTo(Verdict.ADMITTED);
        }
    }
}
