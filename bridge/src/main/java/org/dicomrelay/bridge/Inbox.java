package org.dicomrelay.bridge;

import java.sql.SQLException;
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

/**
 * Long polls of router inboxes. A poll that finds nothing registers a waiter and frees its HTTP
 * thread (the response is a future); the waiter looks again when a notification is published for
 * its router, when a delivered but unacknowledged one becomes visible again, and at its deadline.
 * The database is the only store: waiters hold no messages, so nothing is lost on a restart.
 */
final class Inbox implements AutoCloseable {
    static final int BATCH = 100;
    private static final System.Logger LOG = System.getLogger(Inbox.class.getName());

    private final BridgeStore store;
    private final Clock clock;
    private final long visibilityMillis;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ConcurrentHashMap<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();

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

    /** Notifications for a router, waiting up to {@code waitMillis} for the first one. */
    CompletableFuture<List<BridgeStore.Message>> poll(String routerId, long waitMillis) {
        if (waitMillis <= 0) {
            try {
                return CompletableFuture.completedFuture(claim(routerId));
            } catch (SQLException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        Waiter w = new Waiter(routerId, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis));
        // registered before the first look, so that a notification published in between wakes it
        waiters.computeIfAbsent(routerId, k -> ConcurrentHashMap.newKeySet()).add(w);
        w.attempt();
        return w.result;
    }

    /** A notification was stored for this router: wake its polls. */
    void published(String recipientId) {
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
        for (Set<Waiter> set : waiters.values()) {
            for (Waiter w : set) w.finish(List.of());
        }
        scheduler.shutdownNow();
    }

    private List<BridgeStore.Message> claim(String routerId) throws SQLException {
        long now = clock.millis();
        return store.claim(routerId, now, now + visibilityMillis, BATCH);
    }

    private final class Waiter {
        final String routerId;
        final long deadlineNanos;
        final CompletableFuture<List<BridgeStore.Message>> result = new CompletableFuture<>();
        private ScheduledFuture<?> timer;

        Waiter(String routerId, long deadlineNanos) {
            this.routerId = routerId;
            this.deadlineNanos = deadlineNanos;
        }

        synchronized void attempt() {
            if (result.isDone()) return;
            try {
                List<BridgeStore.Message> got = claim(routerId);
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

        synchronized void finish(List<BridgeStore.Message> messages) {
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
