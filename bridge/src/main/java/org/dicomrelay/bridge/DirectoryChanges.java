package org.dicomrelay.bridge;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Routers waiting for the directory to change ({@code GET /api/router/directory?after=V}): woken
 * when a call that may change it completed and the version is no longer the one they have, or
 * when their wait is over, whichever first.
 */
final class DirectoryChanges {
    /** More waiters than routers could ever be: a client looping on the route gets its answer at once instead. */
    static final int MAX_WAITERS = 4096;

    /** Each waiter with the version its router has. */
    private final Map<CompletableFuture<Void>, Long> waiting = new ConcurrentHashMap<>();
    /** Once the Bridge stops, nothing is held: a held answer could outlive the server. */
    private volatile boolean closed;

    /** Completes at the first {@link #changed} to another version than {@code known}, after {@code waitMillis}, or at once when too many wait. */
    CompletableFuture<Void> next(long known, long waitMillis) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (closed || waiting.size() >= MAX_WAITERS) {
            f.complete(null);
            return f;
        }
        waiting.put(f, known);
        f.whenComplete((v, t) -> waiting.remove(f));
        return f.completeOnTimeout(null, waitMillis, TimeUnit.MILLISECONDS);
    }

    /** A call that may have changed the directory completed (committed); {@code version} is the version now. */
    void changed(long version) {
        waiting.forEach((f, known) -> {
            if (known != version) f.complete(null);
        });
    }

    /** The Bridge stops: every held request is answered now, so that none holds the server's stop. */
    void close() {
        closed = true;
        waiting.keySet().forEach(f -> f.complete(null));
    }

    int waiting() {
        return waiting.size();
    }
}
