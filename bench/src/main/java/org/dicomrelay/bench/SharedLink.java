package org.dicomrelay.bench;

/**
 * One direction of an emulated WAN link that every connection through {@link DelayProxy} shares:
 * bytes leave one after another at the link's rate (serialisation), then arrive one propagation
 * delay later. A chunk queued behind others waits for them, as on a real link.
 */
final class SharedLink {
    private final long delayNanos;
    /** Nanoseconds one byte occupies the link; 0: unlimited. */
    private final double nanosPerByte;
    /** When the link has sent everything reserved so far (System.nanoTime()). */
    private long free = Long.MIN_VALUE;

    /** @param bitsPerSecond the link's rate, 0 for unlimited */
    SharedLink(long delayNanos, long bitsPerSecond) {
        if (delayNanos < 0 || bitsPerSecond < 0) throw new IllegalArgumentException("delay and rate must not be negative");
        this.delayNanos = delayNanos;
        this.nanosPerByte = bitsPerSecond == 0 ? 0 : 8e9 / bitsPerSecond;
    }

    /** Reserves the link for {@code bytes} read now; returns when they have crossed it (System.nanoTime()). */
    synchronized long arrival(int bytes) {
        long now = System.nanoTime();
        free = Math.max(free, now) + (long) (bytes * nanosPerByte);
        return free + delayNanos;
    }
}
