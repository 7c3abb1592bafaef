package org.dicomrelay.router;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The Transfers page's rate: over the last seconds, so a stalled transfer shows its rate falling to zero. */
class SlidingRateTest {
    private static final long SECOND = 1_000_000_000L;

    @Test void theRateCoversTheLastWindowAndFallsToZeroWhenTheTransferStalls() {
        SlidingRate rate = new SlidingRate(0);
        long total = 0;
        for (int s = 1; s <= 10; s++) {
            total += 1_000_000; // 1 MB per second
            rate.record(s * SECOND, total);
        }
        assertThat(rate.perSecond(10 * SECOND, total)).isEqualTo(1_000_000);
        // then 10 MB in the next second: a window of five seconds sees 14 MB in 5 s
        total += 10_000_000;
        assertThat(rate.perSecond(11 * SECOND, total)).isEqualTo(14_000_000 / 5);
        // stalled: nothing more for six seconds
        assertThat(rate.perSecond(17 * SECOND, total)).isZero();
    }
}
