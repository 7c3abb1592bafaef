package org.dicomrelay.router;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Bytes per second over the last {@link #WINDOW_NANOS}: a transfer that stalls shows its rate
 * falling to zero within the window, where an average since the start would hide it. Bounded:
 * one sample per {@link #SAMPLE_NANOS} at most, so a window holds at most 21 samples.
 */
final class SlidingRate {
    static final long WINDOW_NANOS = 5_000_000_000L, SAMPLE_NANOS = 250_000_000L;

    private record Sample(long nanos, long total) {}

    private final Deque<Sample> samples = new ArrayDeque<>();

    SlidingRate(long nanos) {
        samples.add(new Sample(nanos, 0));
    }

    /** The running total at {@code nanos}; samples closer than {@link #SAMPLE_NANOS} to the last one are skipped. */
    synchronized void record(long nanos, long total) {
        Sample last = samples.peekLast();
        if (last != null && nanos - last.nanos < SAMPLE_NANOS) return;
        samples.addLast(new Sample(nanos, total));
        // keep one sample at or before the window's start, so the rate covers the whole window
        while (samples.size() > 2) {
            java.util.Iterator<Sample> it = samples.iterator();
            it.next();
            if (nanos - it.next().nanos < WINDOW_NANOS) break;
            samples.removeFirst();
        }
    }

    /** Bytes per second between the oldest sample in the window and {@code total} at {@code nanos}. */
    synchronized long perSecond(long nanos, long total) {
        record(nanos, total);
        Sample first = samples.peekFirst();
        long elapsed = nanos - first.nanos;
        return elapsed <= 0 ? 0 : (total - first.total) * 1_000_000_000L / elapsed;
    }
}
