package org.dicomrelay.router;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The deadlines of the objects in flight to one destination, pipelined. As RFC 6298 (§5) runs one
 * retransmission timer, for the oldest unacknowledged segment, restarted when an acknowledgement
 * makes another the oldest, only the oldest object awaiting its answer has a running deadline
 * ({@link AnswerDeadline.Wait}), from the moment it became the oldest: an object queued at router B
 * behind sixty others is not declared lost for the time those take. When the oldest times out
 * and no answer came from that destination while it waited, the destination is silent and every
 * object in flight to it is taken as lost at once (not one deadline after another); when answers
 * did come, the oldest is lost, and with it every object sent before one that was answered, and
 * every object that was in flight when a send to that destination failed: the answers travel the
 * path that broke (a Bridge killed drops router B's answers), so they are lost at this one
 * deadline, not one full deadline after another. The next oldest's deadline runs from the
 * destination's last answer if that is later than its send: the destination owes it an answer
 * from then on, as when it answers in order.
 *
 * <p>The timer belongs to the caller; the expiry actions run on it, outside this monitor.
 */
final class InFlightDeadlines {
    private final ScheduledExecutorService timer;
    private final Map<String, Line> lines = new HashMap<>(); // guarded by this

    /** The objects in flight to one destination, oldest first. */
    private static final class Line {
        final TreeMap<Long, Tracked> inFlight = new TreeMap<>();
        long nextSeq;
        long lastAnswerNanos = Long.MIN_VALUE;
        /** The latest-sent object answered so far; -1: none. */
        long highestAnsweredSeq = -1;
        /** Objects sent before this were in flight when a send to the destination failed; 0: none. */
        long brokenBeforeSeq;
        ScheduledFuture<?> armed;
        long armedAtNanos;
    }

    /** One object awaiting its answer. */
    static final class Tracked {
        private final String destination;
        private final long seq;
        private final AnswerDeadline.Wait wait;
        private final Runnable onTimeout;

        private Tracked(String destination, long seq, AnswerDeadline.Wait wait, Runnable onTimeout) {
            this.destination = destination;
            this.seq = seq;
            this.wait = wait;
            this.onTimeout = onTimeout;
        }
    }

    InFlightDeadlines(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** An object sent to {@code destination}; {@code onTimeout} runs (on the timer) if it is declared lost. */
    synchronized Tracked track(String destination, AnswerDeadline.Wait wait, Runnable onTimeout) {
        Line l = lines.computeIfAbsent(destination, k -> new Line());
        Tracked t = new Tracked(destination, l.nextSeq++, wait, onTimeout);
        l.inFlight.put(t.seq, t);
        if (l.inFlight.size() == 1) arm(l);
        return t;
    }

    /**
     * Its answer came: a latency sample (from the destination's previous answer, if later than
     * the send: not the time spent queued behind others), the destination is alive, and the next
     * oldest, if this was the oldest, gets a full deadline from now.
     */
    synchronized void answered(Tracked t) {
        Line l = lines.get(t.destination);
        if (l != null && l.lastAnswerNanos != Long.MIN_VALUE) t.wait.busyUntil(l.lastAnswerNanos);
        t.wait.answered();
        if (l == null) return;
        l.lastAnswerNanos = System.nanoTime();
        if (l.inFlight.get(t.seq) == t) l.highestAnsweredSeq = Math.max(l.highestAnsweredSeq, t.seq);
        forget(l, t);
    }

    /** No longer awaited for another reason (it could not be sent, it completed before it was tracked). */
    synchronized void untrack(Tracked t) {
        Line l = lines.get(t.destination);
        if (l != null) forget(l, t);
    }

    /**
     * A send to {@code destination} failed (the cloud or the Bridge): the answers to the objects in
     * flight to it may be lost on the same broken path; unless answered first, they are taken as
     * lost together at the next deadline.
     */
    synchronized void sendFailed(String destination) {
        Line l = lines.get(destination);
        if (l != null) l.brokenBeforeSeq = l.nextSeq;
    }

    private void forget(Line l, Tracked t) {
        boolean wasOldest = !l.inFlight.isEmpty() && l.inFlight.firstKey() == t.seq;
        if (l.inFlight.remove(t.seq) == null) return;
        if (l.inFlight.isEmpty()) {
            if (l.armed != null) l.armed.cancel(false);
            l.armed = null;
            lines.remove(t.destination);
        } else if (wasOldest) {
            arm(l);
        }
    }

    /** Starts the oldest object's deadline: from the destination's last answer, or its send if later. */
    private void arm(Line l) {
        if (l.armed != null) l.armed.cancel(false);
        Tracked oldest = l.inFlight.firstEntry().getValue();
        oldest.wait.restartFrom(l.lastAnswerNanos);
        l.armedAtNanos = System.nanoTime();
        try {
            ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
            self[0] = timer.schedule(() -> expired(l, oldest, self[0]), oldest.wait.remaining().toNanos(), TimeUnit.NANOSECONDS);
            l.armed = self[0];
        } catch (RejectedExecutionException stopping) {
            l.armed = null; // the router stops: what is in flight stays in the spool
        }
    }

    private void expired(Line l, Tracked oldest, ScheduledFuture<?> which) {
        List<Tracked> lost = new ArrayList<>();
        synchronized (this) {
            if (l.armed != which && which != null) return; // re-armed meanwhile
            if (l.inFlight.isEmpty() || l.inFlight.firstKey() != oldest.seq) return;
            boolean silent = l.lastAnswerNanos == Long.MIN_VALUE || l.lastAnswerNanos - l.armedAtNanos < 0;
            if (silent) {
                lost.addAll(l.inFlight.values());
                l.inFlight.clear();
                l.armed = null;
                lines.remove(oldest.destination);
            } else {
                lost.add(oldest);
                l.inFlight.remove(oldest.seq);
                // Those sent before an object that was answered are lost with it (e.g. taken by a router B that was
                // killed before it answered): all at this one deadline, not one full deadline after another.
                Map<Long, Tracked> overtaken = l.inFlight.headMap(Math.max(l.highestAnsweredSeq, l.brokenBeforeSeq));
                lost.addAll(overtaken.values());
                overtaken.clear();
                l.armed = null;
                if (l.inFlight.isEmpty()) lines.remove(oldest.destination);
                else arm(l);
            }
        }
        oldest.wait.timedOut(); // one doubling of the next deadline (RFC 6298 §5.5), however many were lost with it
        for (Tracked t : lost) t.onTimeout.run();
    }
}
