package org.dicomrelay.router;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.net.Association;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What local devices are doing with the router now, for the console's Transfers page: one entry
 * per association (who called whom, the operations asked, instances and bytes received so far,
 * the rate), running until the association ends, then kept among the last {@link #KEPT}. It sees
 * the requests as they arrive (it wraps the listeners' handler), not what the relay does later:
 * the queue page shows that.
 */
public final class Transfers {
    public static final int KEPT = 50;
    /** Live updates at most this often while data flows (and always when an association ends). */
    static final Duration NOTIFY_EVERY = Duration.ofMillis(250);

    /** One association as the page shows it. */
    public record Transfer(@JsonProperty("id") long id, @JsonProperty("callingAe") String callingAe, @JsonProperty("calledAe") String calledAe,
                           @JsonProperty("operations") List<String> operations, @JsonProperty("instances") int instances,
                           @JsonProperty("bytes") long bytes, @JsonProperty("bytesPerSecond") long bytesPerSecond,
                           @JsonProperty("state") String state, @JsonProperty("started") String started, @JsonProperty("ended") String ended) {}

    private final class Live {
        final long id = ids.incrementAndGet();
        final String calling, called;
        final Instant started = clock.instant();
        final AtomicInteger instances = new AtomicInteger();
        final AtomicLong bytes = new AtomicLong();
        final List<String> operations = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile Instant ended;

        Live(Association as) {
            calling = as.callingAeTitle();
            called = as.calledAeTitle();
        }

        Transfer view() {
            Instant until = ended == null ? clock.instant() : ended;
            long ms = Math.max(1, Duration.between(started, until).toMillis());
            return new Transfer(id, calling, called, List.copyOf(operations), instances.get(), bytes.get(), bytes.get() * 1000 / ms,
                    ended == null ? "running" : "completed", started.toString(), ended == null ? null : ended.toString());
        }
    }

    private final Clock clock;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Association, Live> running = new ConcurrentHashMap<>();
    private final Deque<Live> done = new ArrayDeque<>();
    private volatile Runnable listener = () -> {};
    private volatile long lastNotice;

    Transfers(Clock clock) {
        this.clock = clock;
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

    /** The listeners' handler, watched. */
    RequestHandler watch(RequestHandler h) {
        return new RequestHandler() {
            @Override public void onRequest(Association as, int pc, Attributes command, InputStream data) throws IOException {
                Live l = running.computeIfAbsent(as, Live::new);
                int field = command.getInt(CommandTag.CommandField, -1);
                String name = CommandField.name(field);
                if (!l.operations.contains(name)) l.operations.add(name);
                if (field == CommandField.C_STORE_RQ) l.instances.incrementAndGet();
                h.onRequest(as, pc, command, data == null ? null : new Counting(data, l.bytes));
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
        long now = System.nanoTime();
        if (!always && now - lastNotice < NOTIFY_EVERY.toNanos()) return;
        lastNotice = now;
        try {
            listener.run();
        } catch (RuntimeException e) {
            System.getLogger(Transfers.class.getName()).log(System.Logger.Level.WARNING, "transfers listener failed: "
                    + org.dicomrelay.dicom.net.FailureText.of(e));
        }
    }

    /** Counts the bytes a handler reads from a data set. */
    private static final class Counting extends FilterInputStream {
        private final AtomicLong count;

        Counting(InputStream in, AtomicLong count) {
            super(in);
            this.count = count;
        }

        @Override public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count.incrementAndGet();
            return b;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count.addAndGet(n);
            return n;
        }

        @Override public long skip(long n) throws IOException {
            long s = super.skip(n);
            if (s > 0) count.addAndGet(s);
            return s;
        }
    }
}
