package org.dicomrelay.router;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * How long to wait for another router's answer before taking the request as lost: derived from
 * how fast that router has been answering, the way TCP derives its retransmission timeout (RFC
 * 6298: smoothed latency plus four times its variation, doubled after each timeout, clamped),
 * instead of a fixed 60 s. A frame lost in flight (a router killed) then costs seconds, while a
 * router that is merely slow soon gets the time it needs: a timeout doubles the next deadline,
 * and the answers that then come are new samples.
 *
 * <p>Latency grows with the object (it crosses the cloud twice): samples are taken per
 * {@link #REFERENCE_BYTES} and a deadline is scaled by the object's size, so a 500 MB object is
 * not declared lost after a minute. Long operations that show progress (C-FIND matches,
 * retrieved instances) call {@link Wait#activity()}: the deadline then runs from the last sign
 * of life. Until a router has answered once, its deadline is the ceiling.
 */
final class AnswerDeadline {
    /** Objects up to this size count as one unit of latency; larger ones scale the deadline. */
    static final long REFERENCE_BYTES = 1 << 20;
    static final Duration DEFAULT_FLOOR = Duration.ofSeconds(5);
    static final Duration DEFAULT_CEILING = Duration.ofSeconds(60);
    /** RFC 6298 §2: alpha = 1/8, beta = 1/4, K = 4. */
    private static final double ALPHA = 1.0 / 8, BETA = 1.0 / 4;
    private static final int K = 4;
    private static final int MAX_BACKOFF = 64;

    private final long floorNanos, ceilingNanos;
    private final LongSupplier clock;
    private final Map<String, Estimate> routers = new ConcurrentHashMap<>();

    /** Latency of one router, per unit of size, in nanoseconds. */
    private static final class Estimate {
        double srtt = -1, rttvar;
        int backoff = 1;
    }

    AnswerDeadline() {
        this(DEFAULT_FLOOR, DEFAULT_CEILING);
    }

    AnswerDeadline(Duration floor, Duration ceiling) {
        this(floor, ceiling, System::nanoTime);
    }

    AnswerDeadline(Duration floor, Duration ceiling, LongSupplier nanoClock) {
        if (floor.isNegative() || floor.isZero() || ceiling.compareTo(floor) < 0) throw new IllegalArgumentException("need 0 < floor <= ceiling");
        this.floorNanos = floor.toNanos();
        this.ceilingNanos = ceiling.toNanos();
        this.clock = nanoClock;
    }

    /** Starts waiting for the answer to a request carrying {@code bytes} (0 without payload) sent to {@code routerId}. */
    Wait begin(String routerId, long bytes) {
        Estimate e = routers.computeIfAbsent(routerId, k -> new Estimate());
        double units = Math.max(1.0, (double) bytes / REFERENCE_BYTES);
        return new Wait(e, units, timeoutNanos(e, units));
    }

    /** The current timeout for {@code units} of an estimate. */
    private long timeoutNanos(Estimate e, double units) {
        synchronized (e) {
            long rto = e.srtt < 0 ? ceilingNanos : (long) (e.srtt + K * e.rttvar);
            // Doubling applies to the clamped value (RFC 6298 §5.5), or a fast router's back-off would stay at the floor.
            return (long) (Math.min(ceilingNanos, Math.max(floorNanos, rto) * e.backoff) * units);
        }
    }

    /** One request's wait for its answer. */
    final class Wait {
        private final Estimate estimate;
        private final double units;
        private volatile long timeoutNanos;
        private final long started;
        private volatile long lastActivity;

        private Wait(Estimate estimate, double units, long timeoutNanos) {
            this.estimate = estimate;
            this.units = units;
            this.timeoutNanos = timeoutNanos;
            this.started = clock.getAsLong();
            this.lastActivity = started;
        }

        /** The deadline, counted from the request or the last activity. */
        Duration timeout() {
            return Duration.ofNanos(timeoutNanos);
        }

        /** What is left of the deadline; zero once it has passed. */
        Duration remaining() {
            return Duration.ofNanos(Math.max(0, lastActivity + timeoutNanos - clock.getAsLong()));
        }

        boolean expired() {
            return clock.getAsLong() - lastActivity >= timeoutNanos;
        }

        /**
         * Pipelined: this request became the oldest awaited by its destination; its deadline, set
         * when it was sent (perhaps the ceiling, before any answer), becomes what the answers have
         * taught since, running from now.
         */
        void restart() {
            timeoutNanos = timeoutNanos(estimate, units);
            activity();
        }

        /**
         * As {@link #restart()}, but running from {@code nanos} (same clock; the destination's last
         * answer) if that is later than the request was sent, else from the send.
         */
        void restartFrom(long nanos) {
            timeoutNanos = timeoutNanos(estimate, units);
            lastActivity = nanos != Long.MIN_VALUE && nanos - started > 0 ? nanos : started;
        }

        /** A sign of progress (a pending answer, an instance): the deadline runs again from now. */
        void activity() {
            lastActivity = clock.getAsLong();
        }

        /**
         * Pipelined: the destination last answered at {@code nanos} (same clock); an answer to this
         * request is measured from then if that is later, so the sample is the time the destination
         * took for it, not the time it waited behind the others.
         */
        void busyUntil(long nanos) {
            if (nanos - lastActivity > 0) lastActivity = nanos;
        }

        /** The final answer came: its latency (from the last activity) is a sample, and the back-off ends. */
        void answered() {
            double sample = (clock.getAsLong() - lastActivity) / units;
            synchronized (estimate) {
                if (estimate.srtt < 0) {
                    estimate.srtt = sample;
                    estimate.rttvar = sample / 2;
                } else {
                    estimate.rttvar = (1 - BETA) * estimate.rttvar + BETA * Math.abs(estimate.srtt - sample);
                    estimate.srtt = (1 - ALPHA) * estimate.srtt + ALPHA * sample;
                }
                estimate.backoff = 1;
            }
        }

        /** No answer by the deadline: the next request to this router gets twice the time (up to the ceiling). */
        void timedOut() {
            synchronized (estimate) {
                estimate.backoff = Math.min(MAX_BACKOFF, estimate.backoff * 2);
            }
        }
    }
}
