package org.dicomrelay.router;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.net.Association;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.dicom.net.RequestHandler;
import org.dicomrelay.dicom.net.dimse.CommandField;
import org.dicomrelay.dicom.net.dimse.CommandTag;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * What local devices are doing with the router now, for the console's Transfers page: one entry
 * per association (who called whom, through which remote router, the operations asked, instances
 * and bytes so far, the rate over the last seconds, the sub-operations of a C-MOVE/C-GET, the
 * errors), running until the association ends, then kept among the last {@link #KEPT}. It sees
 * the requests as they arrive (it wraps the listeners' handler); the relay tells it the
 * sub-operations and failures ({@link #subOperations}, {@link #failed}); the queue page shows
 * what is still to be delivered.
 */
public final class Transfers {
    public static final int KEPT = 200;
    /** Live updates at most this often while data flows (and always when an association ends). */
    static final Duration NOTIFY_EVERY = Duration.ofMillis(250);
    private static final System.Logger LOG = System.getLogger(Transfers.class.getName());

    /**
     * The counts of a C-MOVE/C-GET's last pending or final response (PS3.7 §9.1.4.1.7, §9.1.3.1.7);
     * {@code remaining} -1 when the other side did not say.
     */
    public record SubOperations(@JsonProperty("remaining") int remaining, @JsonProperty("completed") int completed,
                                @JsonProperty("failed") int failed, @JsonProperty("warning") int warning) {
        /** Done and still to come; -1 while the remaining count is unknown. */
        @JsonProperty("total") public int total() {
            return remaining < 0 ? -1 : remaining + completed + failed + warning;
        }

        int done() {
            return completed + failed + warning;
        }
    }

    /**
     * One association as the page shows it. {@code instances}: received (C-STORE) or retrieved
     * (C-MOVE/C-GET sub-operations done); {@code totalInstances}: -1 while unknown (an incoming
     * C-STORE association announces no total: known only once it ended); {@code remoteRouter}: the
     * router owning the called AE (null when the router itself is called).
     */
    public record Transfer(@JsonProperty("id") long id, @JsonProperty("callingAe") String callingAe, @JsonProperty("calledAe") String calledAe,
                           @JsonProperty("remoteRouter") String remoteRouter, @JsonProperty("operations") List<String> operations,
                           @JsonProperty("instances") int instances, @JsonProperty("totalInstances") int totalInstances,
                           @JsonProperty("bytes") long bytes, @JsonProperty("bytesPerSecond") long bytesPerSecond,
                           @JsonProperty("subOperations") SubOperations subOperations, @JsonProperty("errors") int errors,
                           @JsonProperty("lastError") String lastError, @JsonProperty("state") String state,
                           @JsonProperty("started") String started, @JsonProperty("ended") String ended) {}

    /** The state names the page shows. */
    static final String RUNNING = "running", COMPLETED = "completed", FAILED = "failed";

    private final class Live {
        final long id = ids.incrementAndGet();
        final String calling, called, remoteRouter;
        final Instant started = clock.instant();
        final long startNanos = System.nanoTime();
        final AtomicInteger stores = new AtomicInteger();
        final AtomicLong bytes = new AtomicLong();
        final List<String> operations = new CopyOnWriteArrayList<>();
        final SlidingRate rate = new SlidingRate(startNanos);
        final AtomicInteger errors = new AtomicInteger();
        volatile String lastError;
        volatile SubOperations subOperations;
        volatile Instant ended;
        volatile long endNanos;

        Live(Association as) {
            calling = as.callingAeTitle();
            called = as.calledAeTitle();
            remoteRouter = routerOf.apply(called);
        }

        Transfer view() {
            boolean running = ended == null;
            long b = bytes.get();
            // while running, over the last seconds; once ended, the average over the whole association
            long perSecond = running ? rate.perSecond(System.nanoTime(), b) : b * 1_000_000_000L / Math.max(1, endNanos - startNanos);
            SubOperations sub = subOperations;
            int instances = sub != null ? sub.done() : stores.get();
            int total = sub != null ? sub.total() : running ? -1 : stores.get();
            String state = running ? RUNNING : errors.get() > 0 ? FAILED : COMPLETED;
            return new Transfer(id, calling, called, remoteRouter, List.copyOf(operations), instances, total, b, perSecond, sub, errors.get(),
                    lastError, state, started.toString(), running ? null : ended.toString());
        }
    }

    private final Clock clock;
    private final Function<String, String> routerOf;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Association, Live> running = new ConcurrentHashMap<>();
    private final Deque<Live> done = new ArrayDeque<>();
    private volatile Runnable listener = () -> {};
    private final AtomicLong lastNotice = new AtomicLong(System.nanoTime() - NOTIFY_EVERY.toNanos());

    /** @param routerOf the router owning a called AE title, or null (the routing table's view) */
    Transfers(Clock clock, Function<String, String> routerOf) {
        this.clock = clock;
        this.routerOf = routerOf;
    }

    /** Told (on a listener thread, so briefly) when the list changed; the console publishes an event. */
    public void onChange(Runnable r) {
        listener = r;
    }

    /** Running associations first (newest first), then the last ended ones. */
    public List<Transfer> list() {
        List<Transfer> out = new ArrayList<>();
        running.values().stream().sorted((a, b) -> Long.compare(b.id, a.id)).forEach(l -> out.add(l.view()));
        synchronized (done) {
            done.descendingIterator().forEachRemaining(l -> out.add(l.view()));
        }
        return out;
    }

    /** The counts of a relayed C-MOVE/C-GET's latest response on {@code as}. */
    void subOperations(Association as, int remaining, int completed, int failed, int warning) {
        Live l = running.get(as);
        if (l == null) return;
        l.subOperations = new SubOperations(remaining, completed, failed, warning);
        notice(false);
    }

    /** A request on {@code as} failed: counted, and the latest reason shown. */
    void failed(Association as, String reason) {
        Live l = running.get(as);
        if (l == null) return;
        l.errors.incrementAndGet();
        l.lastError = reason;
        notice(false);
    }

    /** Counts what a retrieve delivers to the device on {@code as} (its bytes flow out, not in). */
    InputStream counted(Association as, InputStream in) {
        Live l = running.get(as);
        return l == null ? in : new Counting(in, l);
    }

    /** The listeners' handler, watched. */
    RequestHandler watch(RequestHandler h) {
        return new RequestHandler() {
            @Override public void onRequest(Association as, int pc, Attributes command, InputStream data) throws IOException {
                Live l = running.computeIfAbsent(as, Live::new);
                int field = command.getInt(CommandTag.CommandField, -1);
                String name = CommandField.name(field);
                if (!l.operations.contains(name)) l.operations.add(name);
                if (field == CommandField.C_STORE_RQ) l.stores.incrementAndGet();
                h.onRequest(as, pc, command, data == null ? null : new Counting(data, l));
                notice(false);
            }

            @Override public void onCancel(Association as, int messageId) {
                h.onCancel(as, messageId);
            }

            @Override public void onClose(Association as) {
                try {
                    h.onClose(as);
                } finally {
                    Live l = running.remove(as);
                    if (l != null) {
                        l.endNanos = System.nanoTime();
                        l.ended = clock.instant();
                        synchronized (done) {
                            if (done.size() == KEPT) done.removeFirst();
                            done.addLast(l);
                        }
                        notice(true);
                    }
                }
            }
        };
    }

    private void notice(boolean always) {
        long now = System.nanoTime(), last = lastNotice.get();
        if (!always && (now - last < NOTIFY_EVERY.toNanos() || !lastNotice.compareAndSet(last, now))) return;
        if (always) lastNotice.set(now);
        try {
            listener.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "transfers listener failed: " + FailureText.of(e));
        }
    }

    /** Counts the bytes read from a data set, and samples the rate. */
    private static final class Counting extends FilterInputStream {
        private final Live live;

        Counting(InputStream in, Live live) {
            super(in);
            this.live = live;
        }

        private void add(long n) {
            live.rate.record(System.nanoTime(), live.bytes.addAndGet(n));
        }

        @Override public int read() throws IOException {
            int b = super.read();
            if (b >= 0) add(1);
            return b;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) add(n);
            return n;
        }

        @Override public long skip(long n) throws IOException {
            long s = super.skip(n);
            if (s > 0) add(s);
            return s;
        }
    }
}
