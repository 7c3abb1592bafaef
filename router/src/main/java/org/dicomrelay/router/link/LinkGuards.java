package org.dicomrelay.router.link;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * What the courier stamps on and checks of every message, beyond its envelope: the sequence
 * numbers it sends, the replay memory of what it received, the clock of both, and the largest
 * data set payload it accepts. The courier closes it.
 */
public record LinkGuards(SequenceCounter sequences, ReplayGuard replays, Clock clock, long maxPayloadBytes) implements Closeable {
    public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(10);
    public static final Duration DEFAULT_MAX_SKEW = Duration.ofMinutes(2);
    public static final long DEFAULT_MAX_PAYLOAD_BYTES = 4L << 30;

    public LinkGuards {
        if (maxPayloadBytes < 1) throw new IllegalArgumentException("maxPayloadBytes must be at least 1");
    }

    /** Kept in {@code linkState} ({@code STATE/link}): {@code sequence/} and {@code replay/}, 0700, files 0600. */
    public static LinkGuards in(Path linkState, Clock clock, Duration maxAge, Duration maxSkew, long maxPayloadBytes) throws IOException {
        return new LinkGuards(new SequenceCounter(linkState.resolve("sequence"), clock),
                new ReplayGuard(linkState.resolve("replay"), clock, maxAge, maxSkew), clock, maxPayloadBytes);
    }

    /** The defaults (10 min, 2 min skew, 4 GiB) with the system clock. */
    public static LinkGuards in(Path linkState) throws IOException {
        return in(linkState, Clock.systemUTC(), DEFAULT_MAX_AGE, DEFAULT_MAX_SKEW, DEFAULT_MAX_PAYLOAD_BYTES);
    }

    /** Remembered only as long as the courier runs: for tests and tools without a state folder, never a router. */
    public static LinkGuards inMemory(Clock clock) {
        try {
            return new LinkGuards(new SequenceCounter(null, clock), new ReplayGuard(null, clock, DEFAULT_MAX_AGE, DEFAULT_MAX_SKEW), clock,
                    DEFAULT_MAX_PAYLOAD_BYTES);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("no file is involved", e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            sequences.close();
        } finally {
            replays.close();
        }
    }
}
