package org.dicomrelay.bridge;

import java.time.Clock;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomrelay.relay.bridge.api.InboxMessage;

/**
 * Long polls of router inboxes. A poll that finds nothing registers a waiter and frees its HTTP
 * thread (the response is a future); the waiter looks again when a notification is published for
 * its router, when a delivered but unacknowledged one becomes visible again, and at its deadline.
 * The database is the only store: waiters hold no messages, so nothing is lost on a restart.
 *
 * <p>A router polls through one poller at a time, named by an ID it sends with each poll. When a
 * poll comes from a new poller (the router restarted), the polls still parked for the previous
 * poller are ended and every notification in flight to it is made visible again: the previous poller's HTTP connection may be dead without the Bridge knowing
 * (a killed process), and a notification handed to it would otherwise stay hidden for the whole
 * visibility timeout. Its unacknowledged notifications were not run to the end, or the new
 * poller's replay guard refuses them. See {@link InboxPollers} for which poll takes over.
 */
final class Inbox implements AutoCloseable {
    static final int BATCH = 100;
    private static final System.Logger LOG = System.getLogger(Inbox.class.getName());

    private final BridgeStore store;
    private final Clock clock;
    private final long visibilityMillis;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ConcurrentHashMap<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();
    private final InboxPollers pollers = new InboxPollers();

    Inbox(BridgeStore store, Clock clock, long visibilityMillis) {
        this.store = store;
        this.clock = clock;
        this.visibilityMillis = visibilityMillis;
        AtomicInteger n = new AtomicInteger();
        this.scheduler = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "bridge-inbox-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
    }

    /**
     * Notifications for a router, waiting up to {@code waitMillis} for the first one.
     * {@code pollerId}: which poller of the router asks (null: unnamed, never takes over).
     */
    CompletableFuture<List<InboxMessage>> poll(String routerId, String pollerId, long waitMillis) {
        try {
            if (pollerId != null) takeOver(routerId, pollerId);
            if (waitMillis <= 0) return CompletableFuture.completedFuture(claim(routerId));
        } catch (RuntimeException e) { // the database (Jdbi's exceptions are unchecked)
            return CompletableFuture.failedFuture(e);
        }
        Waiter w = new Waiter(routerId, pollerId, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis));
        // registered before the first look, so that a notification published in between wakes it
        waiters.computeIfAbsent(routerId, k -> ConcurrentHashMap.newKeySet()).add(w);
        w.attempt();
        return w.result;
    }

    /** A new poller of the router ends its previous poller's parked polls, then gets back what was in flight to it. */
    private void takeOver(String routerId, String pollerId) {
        if (!pollers.takesOver(routerId, pollerId)) return;
        int ended = 0;
        Set<Waiter> set = waiters.get(routerId);
        if (set != null) {
            for (Waiter w : set) {
                if (!pollerId.equals(w.pollerId)) {
                    w.finish(List.of()); // after this, that waiter claims nothing more
                    ended++;
                }
            }
        }
        // after the old waiters are finished, so that one claiming right now is released too
        int released = store.release(routerId, clock.millis());
        LOG.log(System.Logger.Level.INFO, "router " + routerId + " polls through a new poller (restarted): ended " + ended
                + " poll(s) of its previous poller and made " + released + " notification(s) in flight to it visible again");
    }

    /** Tells the other Bridge instances on the same database of each notification stored here; null: no others. Closed with the inbox. */
    private volatile DatabaseSignals otherInstances;

    /** Shares the inbox with other Bridge instances on the same (PostgreSQL) database. */
    void shareThrough(DatabaseSignals signals) {
        otherInstances = signals;
    }

    /** A notification was stored for this router: wake its polls, here and at the other instances. */
    void published(String recipientId) {
        wake(recipientId);
        DatabaseSignals others = otherInstances;
        if (others != null) others.announce(recipientId);
    }

    /** Every poll parked here looks again (signals from other instances may have been missed). */
    void wakeAll() {
        waiters.keySet().forEach(this::wake);
    }

    /** Wakes this instance's polls of the router: they look in the database again. */
    void wake(String recipientId) {
        Set<Waiter> set = waiters.get(recipientId);
        if (set == null) return;
        for (Waiter w : set) {
            try {
                scheduler.execute(w::attempt);
            } catch (RejectedExecutionException e) {
                return; // closing
            }
        }
    }

    /** The router was revoked: its waiting polls end with 401. */
    void revoked(String routerId) {
        pollers.forget(routerId);
        Set<Waiter> set = waiters.remove(routerId);
        if (set == null) return;
        for (Waiter w : set) w.fail(ApiException.unauthorized("router revoked"));
    }

    /** Polls now waiting for a router (for tests and monitoring). */
    int waiting(String routerId) {
        Set<Waiter> set = waiters.get(routerId);
        return set == null ? 0 : set.size();
    }

    /** Ends every waiting poll with an empty answer. */
    @Override
    public void close() {
        DatabaseSignals others = otherInstances;
        if (others != null) others.close();
        for (Set<Waiter> set : waiters.values()) {
            for (Waiter w : set) w.finish(List.of());
        }
        scheduler.shutdownNow();
    }

    private List<InboxMessage> claim(String routerId) {
        long now = clock.millis();
        return store.claim(routerId, now, now + visibilityMillis, BATCH);
    }

    private final class Waiter {
        final String routerId;
        final String pollerId;
        final long deadlineNanos;
        final CompletableFuture<List<InboxMessage>> result = new CompletableFuture<>();
        private ScheduledFuture<?> timer;

        Waiter(String routerId, String pollerId, long deadlineNanos) {
            this.routerId = routerId;
            this.pollerId = pollerId;
            this.deadlineNanos = deadlineNanos;
        }

        synchronized void attempt() {
            if (result.isDone()) return;
            try {
                List<InboxMessage> got = claim(routerId);
                if (!got.isEmpty()) {
                    finish(got);
                    return;
                }
                long remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0) {
                    finish(List.of());
                    return;
                }
                long now = clock.millis();
                OptionalLong next = store.nextVisibleAt(routerId, now);
                long delay = remaining;
                if (next.isPresent()) delay = Math.min(delay, TimeUnit.MILLISECONDS.toNanos(next.getAsLong() - now + 1));
                if (timer != null) timer.cancel(false);
                timer = scheduler.schedule(this::attempt, delay, TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.ERROR, "inbox poll of router " + routerId + " failed", e);
                fail(e);
            }
        }

        synchronized void finish(List<InboxMessage> messages) {
            unregister();
            result.complete(messages);
        }

        synchronized void fail(Throwable t) {
            unregister();
            result.completeExceptionally(t);
        }

        private void unregister() {
            if (timer != null) timer.cancel(false);
            Set<Waiter> set = waiters.get(routerId);
            if (set != null) set.remove(this);
        }
    }
}
