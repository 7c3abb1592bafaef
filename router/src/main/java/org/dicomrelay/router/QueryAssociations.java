package org.dicomrelay.router;

import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.dicom.net.service.QueryRetrieveModel;
import org.dicomrelay.dicom.net.service.QueryRetrieveScu;
import org.dicomrelay.router.config.Device;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The router's C-FIND associations to local devices, kept open between queries for a short
 * while: a user browsing (a study list, then its series, then the next patient) costs one
 * association, not one per query — with a forking PACS (dcmqrscp) that is a process each time,
 * most of the latency the relay added to a query.
 *
 * <p>At most {@link #MAX_IDLE_PER_DEVICE} wait per device and information model, released after
 * {@code idle} (short: a device that serves one association at a time is held off only that
 * long). A query on a kept association that fails before its first response (the device ended
 * the association meanwhile) runs once more on a new one: a C-FIND is repeatable. One that fails
 * later, or is used while the router closes, is closed, never kept.
 */
final class QueryAssociations implements Closeable {
    private static final System.Logger LOG = System.getLogger(QueryAssociations.class.getName());
    static final int MAX_IDLE_PER_DEVICE = 2;

    /** One query on an association. */
    @FunctionalInterface
    interface Query {
        void on(QueryRetrieveScu scu) throws IOException;
    }

    private record Kept(QueryRetrieveScu scu, long since) {}

    private final String callingAe;
    private final DeviceOptions options;
    private final long idleNanos;
    /** Idle associations per device and model, newest last; guarded by {@code this}. */
    private final Map<String, Deque<Kept>> idle = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("query-associations"));
    private boolean closed;

    QueryAssociations(String callingAe, DeviceOptions options, Duration idle) {
        this.callingAe = callingAe;
        this.options = options;
        this.idleNanos = idle.toNanos();
        long period = Math.max(10, idle.toMillis() / 4);
        timer.scheduleWithFixedDelay(this::releaseIdle, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs {@code query} on an association to {@code d} for {@code model}: a kept one if there is
     * one, else a new one; kept afterwards if the query ended normally.
     *
     * @param repeatable whether the query may run again (no response of it received yet)
     */
    void query(Device d, QueryRetrieveModel model, Query query, BooleanSupplier repeatable) throws IOException {
        String key = d.aeTitle() + "@" + d.host() + ":" + d.port() + " " + model;
        QueryRetrieveScu scu = take(key);
        boolean reused = scu != null;
        if (!reused) scu = open(d, model);
        try {
            query.on(scu);
        } catch (IOException e) {
            scu.close();
            if (!reused || !repeatable.getAsBoolean()) throw e;
            LOG.log(System.Logger.Level.DEBUG, "C-FIND to " + d.aeTitle() + " failed on a kept association (" + FailureText.of(e)
                    + "), querying on a new one");
            scu = open(d, model);
            try {
                query.on(scu);
            } catch (IOException again) {
                scu.close();
                throw again;
            }
        } catch (RuntimeException e) {
            scu.close();
            throw e;
        }
        keep(key, scu);
    }

    private QueryRetrieveScu open(Device d, QueryRetrieveModel model) throws IOException {
        return QueryRetrieveScu.open(d.host(), d.port(), d.aeTitle(), callingAe, model, List.of(), null, options.of(d));
    }

    private synchronized QueryRetrieveScu take(String key) {
        Deque<Kept> q = idle.get(key);
        while (q != null && !q.isEmpty()) {
            QueryRetrieveScu scu = q.pollLast().scu();
            if (!scu.association().isEnded()) return scu;
            scu.close();
        }
        return null;
    }

    private void keep(String key, QueryRetrieveScu scu) {
        QueryRetrieveScu surplus = null;
        synchronized (this) {
            Deque<Kept> q = idle.computeIfAbsent(key, k -> new ArrayDeque<>());
            if (closed || scu.association().isEnded()) surplus = scu;
            else {
                q.addLast(new Kept(scu, System.nanoTime()));
                if (q.size() > MAX_IDLE_PER_DEVICE) surplus = q.pollFirst().scu();
            }
        }
        if (surplus != null) surplus.close();
    }

    private void releaseIdle() {
        long now = System.nanoTime();
        List<QueryRetrieveScu> due = new java.util.ArrayList<>();
        synchronized (this) {
            for (Deque<Kept> q : idle.values()) {
                // Oldest first: those kept longest are released first.
                while (!q.isEmpty() && (now - q.peekFirst().since() >= idleNanos || q.peekFirst().scu().association().isEnded())) {
                    due.add(q.pollFirst().scu());
                }
            }
        }
        due.forEach(QueryRetrieveScu::close); // A-RELEASE outside the lock: a slow device holds no other query
    }

    /** Associations kept open and idle right now (for tests). */
    synchronized int kept() {
        return (int) idle.values().stream().flatMap(Deque::stream).filter(k -> !k.scu().association().isEnded()).count();
    }

    /** Releases the kept associations; one in use is closed by its query when it ends. */
    @Override public void close() {
        List<QueryRetrieveScu> all = new java.util.ArrayList<>();
        synchronized (this) {
            closed = true;
            idle.values().forEach(q -> q.forEach(k -> all.add(k.scu())));
            idle.clear();
        }
        timer.shutdownNow();
        all.forEach(QueryRetrieveScu::close);
    }
}
