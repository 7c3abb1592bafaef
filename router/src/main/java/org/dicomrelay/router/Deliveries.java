package org.dicomrelay.router;

import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.log.RepeatingLog;
import org.dicomrelay.router.config.RetryPolicy;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Delivers the spool's pending entries, per destination (called AE): a destination that works
 * gets up to {@code window} objects in flight at a time (router.yaml {@code link.window}), each
 * sent by a worker that returns as soon as it has sent it: the answer completes the attempt
 * later ({@link Send}), so no thread waits for one object's round trip. After a transient failure it gets one
 * probe at a time, after an exponential back-off with jitter ({@link Backoff}), and the rest
 * follow once a probe gets through. One destination down never delays another. Permanent
 * refusals, and transient failures older than the policy's {@code giveUpAfter}, are
 * dead-lettered with their status for an operator; operators' requests ({@link SpoolControl})
 * are applied here, between deliveries, so they never race with the router's own writes.
 *
 * <p>An entry leaves the spool only when its destination's status came back; {@link #close()}
 * leaves the entries in flight as they are, for the next start.
 *
 * <p>Owns two pools, closed by {@link #close()}: the workers that send (bounded: the window bounds
 * what waits for them) and one timer (back-off wake-ups, operator requests).
 */
final class Deliveries implements Closeable {
    private static final System.Logger LOG = System.getLogger(Deliveries.class.getName());
    private static final int WORKERS = 8;

    /**
     * One delivery attempt of a spooled object: sends it on the calling worker and returns its
     * outcome to come (the answer, or the deadline passing); a failure to send may complete it at once.
     */
    @FunctionalInterface
    interface Send {
        CompletionStage<DeliveryResult> send(SpoolEntry e);
    }

    /** One delivery attempt that blocks a worker until its outcome is known (stand-ins in tests). */
    @FunctionalInterface
    interface Attempt {
        DeliveryResult deliver(SpoolEntry e);
    }

    /** Where one destination stands; guarded by the {@link Deliveries} monitor. */
    private static final class Destination {
        final String ae;
        final ArrayDeque<String> queue = new ArrayDeque<>(); // pending, not in flight, in order
        int inFlight;
        long inFlightBytes;
        int failures; // consecutive transient failures; 0: the destination works
        Instant retryAt = Instant.MIN;
        ScheduledFuture<?> wakeUp;

        Destination(String ae) {
            this.ae = ae;
        }
    }

    /** Bytes in flight per destination beyond which no further object starts (one always may). */
    static final long WINDOW_BYTES = 256L << 20;

    private final Spool spool;
    private final RetryPolicy policy;
    private final Backoff backoff;
    private final int window;
    private final long windowBytes;
    private final Send send;
    private final RepeatingLog failing = new RepeatingLog(LOG, Duration.ofMinutes(1));
    private final Map<String, SpoolEntry> entries = new HashMap<>();
    private final Map<String, Destination> destinations = new HashMap<>();
    private final ExecutorService workers = Executors.newFixedThreadPool(WORKERS, DaemonThreads.named("spool-delivery"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("spool-timer"));
    private boolean started, closed;
    /** The router's meters once {@link #metrics} gives them; until then (tests build Deliveries alone) meters nobody reads. */
    private volatile RouterMetrics metrics = new RouterMetrics("unnamed", null);

    /** As below, with attempts that block a worker each. */
    Deliveries(Spool spool, RetryPolicy policy, int window, Attempt attempt) throws IOException {
        this(spool, policy, window, (Send) e -> CompletableFuture.completedFuture(attempt.deliver(e)));
    }

    /** Takes every pending entry of {@code spool} (dead letters wait for an operator); nothing is sent before {@link #start()}. */
    Deliveries(Spool spool, RetryPolicy policy, int window, Send send) throws IOException {
        this(spool, policy, window, WINDOW_BYTES, send);
    }

    /** With at most {@code windowBytes} in flight per destination besides the window's count of objects. */
    Deliveries(Spool spool, RetryPolicy policy, int window, long windowBytes, Send send) throws IOException {
        if (window < 1) throw new IllegalArgumentException("window must be at least 1");
        this.windowBytes = windowBytes;
        this.spool = spool;
        this.policy = policy;
        this.backoff = new Backoff(policy, () -> ThreadLocalRandom.current().nextDouble());
        this.window = window;
        this.send = send;
        int resumed = 0, dead = 0;
        synchronized (this) {
            for (SpoolEntry e : spool.entries()) {
                if (e.state() == SpoolEntry.State.REMOTE_ACK) {
                    // Forwarded while its modality waited when the router stopped: the modality never heard Success and resends it itself.
                    spool.remove(e.id());
                    LOG.log(System.Logger.Level.INFO, "removed spool entry " + e.id() + " (" + e.sopInstanceUid() + " to " + e.calledAe()
                            + "): forwarded with remote acknowledgement when the router stopped; the modality was not told Success and owns the retry");
                    continue;
                }
                entries.put(e.id(), e);
                if (e.deadLettered()) {
                    dead++;
                } else {
                    destination(e.calledAe()).queue.add(e.id());
                    resumed++;
                }
            }
        }
        if (resumed + dead > 0) {
            LOG.log(System.Logger.Level.INFO, "spool: resuming " + resumed + " pending entr" + (resumed == 1 ? "y" : "ies") + "; " + dead
                    + " dead-lettered (see `dicom-relay spool`)");
        }
    }

    /** Starts delivering (once answers can arrive) and serving operators' requests. */
    synchronized void start() {
        if (started) return;
        started = true;
        destinations.values().forEach(this::pump);
        long poll = SpoolControl.POLL.toMillis();
        timer.scheduleWithFixedDelay(() -> SpoolControl.serve(spool, this::apply), poll, poll, TimeUnit.MILLISECONDS);
    }

    /** Where this router's meters are; they read the queue depth per destination from here. */
    void metrics(RouterMetrics m) {
        metrics = m;
        m.queues(this::depths);
    }

    /** Objects waiting or in flight, per destination AE. */
    private synchronized Map<String, Integer> depths() {
        Map<String, Integer> out = new HashMap<>();
        destinations.forEach((ae, d) -> out.put(ae, d.queue.size() + d.inFlight));
        return out;
    }

    /** A newly spooled entry. */
    synchronized void submit(SpoolEntry e) {
        entries.put(e.id(), e);
        Destination d = destination(e.calledAe());
        d.queue.add(e.id());
        pump(d);
    }

    /**
     * The first attempt of an object the spool is still writing (a large one: {@link SpoolTail}), started now on a worker
     * if its destination works and has nothing waiting or no room to spare (it never overtakes the queue); null if not.
     * It counts in flight at once; {@link #adopt} or {@link #orphan} it when the spool has the object or failed to.
     */
    synchronized HeadStart headStart(String ae, java.util.function.Supplier<CompletionStage<DeliveryResult>> attempt) {
        if (!started || closed) return null;
        Destination d = destination(ae);
        if (d.failures > 0 || !d.queue.isEmpty() || d.inFlight >= window || (d.inFlight > 0 && d.inFlightBytes >= windowBytes)) return null;
        d.inFlight++;
        HeadStart h = new HeadStart(d);
        workers.execute(() -> {
            long sent = System.nanoTime();
            CompletionStage<DeliveryResult> outcome;
            try {
                outcome = attempt.get();
            } catch (RuntimeException ex) {
                outcome = CompletableFuture.completedFuture(DeliveryResult.unreachable(FailureText.of(ex)));
            }
            outcome.whenComplete((r, ex) -> metrics.storeAnswer(ae, System.nanoTime() - sent));
            outcome.whenComplete((r, ex) -> h.outcome.complete(ex == null ? r : DeliveryResult.unreachable(FailureText.of(ex))));
        });
        return h;
    }

    /** A head start whose object is now spooled as {@code e}: its outcome is the entry's first attempt's. */
    synchronized void adopt(HeadStart h, SpoolEntry e) {
        entries.put(e.id(), e);
        h.destination.inFlightBytes += e.bytes();
        h.outcome.whenComplete((r, ex) -> finished(h.destination, e, r, false));
    }

    /** A head start whose object the spool did not keep (the modality heard a failure): its outcome only frees its place. */
    synchronized void orphan(HeadStart h) {
        h.outcome.whenComplete((r, ex) -> released(h.destination));
    }

    private synchronized void released(Destination d) {
        d.inFlight--;
        pump(d);
    }

    /** A first attempt started before its entry existed ({@link #headStart}). */
    static final class HeadStart {
        private final Destination destination;
        private final CompletableFuture<DeliveryResult> outcome = new CompletableFuture<>();

        private HeadStart(Destination destination) {
            this.destination = destination;
        }
    }

    private Destination destination(String ae) {
        return destinations.computeIfAbsent(ae, Destination::new);
    }

    /** Starts what the destination may take now, or arranges to come back when its back-off ends. */
    private void pump(Destination d) {
        if (!started || closed || d.queue.isEmpty()) return;
        if (d.failures == 0) {
            // The window counts objects, and bytes too: 256 large objects in flight would hold gigabytes at the cloud.
            while (d.inFlight < window && (d.inFlight == 0 || d.inFlightBytes < windowBytes) && !d.queue.isEmpty()) {
                dispatch(d, d.queue.poll(), false);
            }
            return;
        }
        if (d.inFlight > 0) return; // a probe is out
        Instant now = Instant.now();
        if (!now.isBefore(d.retryAt)) {
            dispatch(d, d.queue.poll(), true);
        } else if (d.wakeUp == null || d.wakeUp.isDone()) {
            d.wakeUp = timer.schedule(() -> wake(d), Duration.between(now, d.retryAt).toMillis() + 1, TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void wake(Destination d) {
        d.wakeUp = null;
        pump(d);
    }

    private void dispatch(Destination d, String id, boolean probe) {
        SpoolEntry e = entries.get(id);
        if (e == null || e.deadLettered()) return;
        d.inFlight++;
        d.inFlightBytes += e.bytes();
        workers.execute(() -> {
            long sent = System.nanoTime();
            CompletionStage<DeliveryResult> outcome;
            try {
                outcome = send.send(e);
            } catch (RuntimeException ex) {
                outcome = CompletableFuture.completedFuture(DeliveryResult.unreachable(FailureText.of(ex)));
            }
            // On the thread that completes it (the courier's, for an answer): finished() only updates records and queues.
            outcome.whenComplete((r, ex) -> metrics.storeAnswer(e.calledAe(), System.nanoTime() - sent));
            outcome.whenComplete((r, ex) -> finished(d, e, ex == null ? r : DeliveryResult.unreachable(FailureText.of(ex)), probe));
        });
    }

    private synchronized void finished(Destination d, SpoolEntry e, DeliveryResult r, boolean probe) {
        d.inFlight--;
        d.inFlightBytes -= e.bytes();
        if (closed) return; // the router stops: the entry stays as it was and is resumed at the next start
        boolean current = entries.get(e.id()) == e; // else an operator discarded it meanwhile
        if (!current && r.outcome() != DeliveryOutcome.DELIVERED) {
            // Its data went with the discard (e.g. NoSuchFileException while sending): says nothing about the destination.
            LOG.log(System.Logger.Level.INFO, "attempt to deliver " + e.sopInstanceUid() + " to " + e.calledAe() + " ended: entry " + e.id()
                    + " was discarded meanwhile");
            pump(d);
            return;
        }
        if (r.outcome() != DeliveryOutcome.DELIVERED) metrics.deliveryFailed(e.calledAe(), r.outcome());
        switch (r.outcome()) {
            case DELIVERED -> {
                metrics.delivered(e.calledAe(), e.bytes());
                works(d);
                if (current) {
                    entries.remove(e.id());
                    try {
                        spool.remove(e.id());
                    } catch (IOException ex) {
                        LOG.log(System.Logger.Level.ERROR, "delivered " + e.sopInstanceUid() + " but could not remove spool entry " + e.id()
                                + " (it will be delivered again at the next start): " + FailureText.of(ex));
                    }
                }
                LOG.log(System.Logger.Level.INFO, "delivered " + e.sopInstanceUid() + " to " + e.calledAe() + String.format(" (status %04XH)", r.status()));
            }
            case PERMANENT -> {
                works(d); // it answered: reachable
                if (current) deadLetter(e, r.status(), r.describe(), true);
            }
            case TRANSIENT -> {
                Instant now = Instant.now();
                if (d.failures == 0 || probe) {
                    d.failures++;
                    d.retryAt = now.plus(backoff.delay(d.failures));
                }
                failing.occurred(d.ae, System.Logger.Level.WARNING, "deliveries to " + d.ae + " fail, retrying with back-off (next try in "
                        + Math.max(1, Duration.between(now, d.retryAt).toSeconds()) + " s, " + (d.queue.size() + d.inFlight + 1)
                        + " waiting): " + r.describe());
                if (current) {
                    if (expired(e, now)) {
                        deadLetter(e, r.status(), "gave up after " + (e.attempts() + 1) + " attempts in " + age(e, now) + ": " + r.describe(), true);
                    } else {
                        SpoolEntry next = e.retrying(r.status(), r.describe(), d.retryAt);
                        write(next);
                        entries.put(next.id(), next);
                        d.queue.addLast(next.id()); // the next probe is another object: one that always fails must not block the rest
                    }
                }
                giveUpExpired(d, now, r);
            }
        }
        pump(d);
    }

    /** The destination answered: it leaves back-off, and the log says so once. */
    private void works(Destination d) {
        if (d.failures == 0) return;
        d.failures = 0;
        d.retryAt = Instant.MIN;
        if (d.wakeUp != null) d.wakeUp.cancel(false);
        d.wakeUp = null;
        failing.cleared(d.ae, "deliveries to " + d.ae + " work again");
    }

    private boolean expired(SpoolEntry e, Instant now) {
        Instant since = e.retryWindowStart();
        return since != null && Duration.between(since, now).compareTo(policy.giveUpAfter()) > 0;
    }

    private static String age(SpoolEntry e, Instant now) {
        Duration a = Duration.between(e.retryWindowStart(), now);
        return a.toHours() >= 1 ? a.toHours() + " h" : a.toMinutes() + " min";
    }

    /** Entries waiting behind a failing destination past the give-up age are dead-lettered without an attempt of their own. */
    private void giveUpExpired(Destination d, Instant now, DeliveryResult r) {
        for (Iterator<String> it = d.queue.iterator(); it.hasNext(); ) {
            SpoolEntry e = entries.get(it.next());
            if (e == null || !expired(e, now)) continue;
            it.remove();
            deadLetter(e, r.status(), "gave up after " + age(e, now) + " waiting for " + d.ae + ": " + r.describe(), false);
        }
    }

    private void deadLetter(SpoolEntry e, Integer status, String reason, boolean attempted) {
        metrics.deadLettered(e.calledAe());
        SpoolEntry dead = e.deadLettered(status, reason, attempted);
        write(dead);
        entries.put(dead.id(), dead);
        LOG.log(System.Logger.Level.ERROR, "dead-lettered " + e.sopInstanceUid() + " (study " + (e.studyInstanceUid() == null ? "unknown" : e.studyInstanceUid()) + ") to " + e.calledAe()
                + ", entry " + e.id() + ": " + reason + "; after fixing the cause: dicom-relay spool resubmit --id " + e.id());
    }

    private void write(SpoolEntry e) {
        try {
            spool.write(e);
        } catch (IOException ex) {
            // the previous record stays; the entry is kept in memory all the same
            LOG.log(System.Logger.Level.ERROR, "could not update spool record " + e.id() + ": " + FailureText.of(ex));
        }
    }

    /**
     * An operator's request. The entries are picked and taken out of the queues under the lock,
     * the files written outside it (a big discard fsyncs for each entry: {@link #submit} must not
     * wait behind it), and the queues updated from the result under the lock again.
     */
    SpoolAnswer apply(SpoolRequest rq) {
        SpoolActions.Plan plan;
        synchronized (this) {
            plan = SpoolActions.plan(entries.values(), rq);
            for (SpoolEntry e : plan.discard()) {
                entries.remove(e.id()); // not dispatched again; an attempt in flight ends as "discarded"
                destination(e.calledAe()).queue.remove(e.id());
            }
        }
        SpoolActions.Applied a = SpoolActions.perform(spool, plan, Instant.now());
        synchronized (this) {
            if (closed) return a.answer();
            Set<String> gone = new java.util.HashSet<>();
            for (SpoolEntry e : a.discarded()) gone.add(e.id());
            for (SpoolEntry e : plan.discard()) {
                if (gone.contains(e.id())) continue;
                entries.put(e.id(), e); // its files are still there: it stays where it was
                if (!e.deadLettered()) {
                    Destination d = destination(e.calledAe());
                    d.queue.add(e.id());
                    pump(d);
                }
            }
            Set<Destination> touched = new LinkedHashSet<>();
            for (SpoolEntry e : a.resubmitted()) {
                entries.put(e.id(), e);
                Destination d = destination(e.calledAe());
                d.queue.add(e.id());
                touched.add(d);
            }
            for (SpoolEntry e : a.retried()) touched.add(destination(e.calledAe()));
            for (Destination d : touched) {
                d.retryAt = Instant.MIN; // try now: the operator says the cause is fixed
                pump(d);
            }
        }
        return a.answer();
    }

    @Override public void close() {
        synchronized (this) {
            closed = true;
        }
        timer.shutdownNow();
        workers.shutdownNow();
    }
}
