package org.dicomrelay.router;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.dicomrelay.dicom.net.dimse.Status;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where the objects of a study went, hop by hop, as router A sees them (issue 11): received from
 * the device, spooled, sent (uploaded), received at router B and stored in its PACS (router B's
 * times, which its STORE answer carries, so on router B's clock), and the answer back here. Per
 * hop: how many objects passed, the first and the last time; for the PACS and the answer, how
 * many of each status. Bounded: the last {@link #KEPT} studies, each of a fixed size whatever its
 * number of objects.
 */
public final class StudyTimelines {
    public static final int KEPT = 100;
    /** Distinct statuses kept per study (a PACS answers with few): past that, counted under "other". */
    static final int MAX_STATUSES = 8;

    /** The hops of a relayed C-STORE, in order. {@code remote}: timed on router B's clock. */
    public enum Hop {
        RECEIVED("received at A", false), SPOOLED("spooled at A", false), SENT("sent (uploaded) by A", false),
        RECEIVED_AT_B("received at B", true), STORED_AT_B("stored in the PACS (B)", true), ANSWERED("answer back at A", false);

        final String label;
        final boolean remote;

        Hop(String label, boolean remote) {
            this.label = label;
            this.remote = remote;
        }
    }

    /** One hop of a study: objects that passed, first and last time (ISO-8601), statuses (hex, by count). */
    public record HopView(@JsonProperty("hop") String hop, @JsonProperty("label") String label, @JsonProperty("remoteClock") boolean remoteClock,
                          @JsonProperty("count") int count, @JsonProperty("first") String first, @JsonProperty("last") String last,
                          @JsonProperty("statuses") Map<String, Integer> statuses) {}

    /** A study in the list: who sent it where, objects received and answered, last activity. */
    public record Summary(@JsonProperty("studyInstanceUid") String studyInstanceUid, @JsonProperty("callingAe") String callingAe,
                          @JsonProperty("calledAe") String calledAe, @JsonProperty("remoteRouter") String remoteRouter,
                          @JsonProperty("received") int received, @JsonProperty("answered") int answered,
                          @JsonProperty("failed") int failed, @JsonProperty("lastActivity") String lastActivity) {}

    /** A study's timeline: its summary and every hop, in order. */
    public record Timeline(@JsonProperty("study") Summary study, @JsonProperty("hops") List<HopView> hops) {}

    private static final class Times {
        int count;
        Instant first, last;
        final Map<Integer, Integer> statuses = new TreeMap<>();

        void add(Instant t, Integer status) {
            count++;
            if (first == null || t.isBefore(first)) first = t;
            if (last == null || t.isAfter(last)) last = t;
            if (status != null && (statuses.containsKey(status) || statuses.size() < MAX_STATUSES)) statuses.merge(status, 1, Integer::sum);
        }
    }

    private static final class Study {
        final String uid, callingAe, calledAe, remoteRouter;
        final Map<Hop, Times> hops = new EnumMap<>(Hop.class);
        int failed;
        Instant lastActivity;

        Study(String uid, String callingAe, String calledAe, String remoteRouter) {
            this.uid = uid;
            this.callingAe = callingAe;
            this.calledAe = calledAe;
            this.remoteRouter = remoteRouter;
        }

        int count(Hop h) {
            Times t = hops.get(h);
            return t == null ? 0 : t.count;
        }

        Summary summary() {
            return new Summary(uid, callingAe, calledAe, remoteRouter, count(Hop.RECEIVED), count(Hop.ANSWERED), failed, text(lastActivity));
        }
    }

    private final Clock clock;
    private final Map<String, Study> studies = new LinkedHashMap<>(16, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<String, Study> eldest) {
            return size() > KEPT;
        }
    };

    private volatile Runnable listener = () -> {};
    private final java.util.concurrent.atomic.AtomicLong lastNotice = new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - NOTIFY_EVERY_NANOS);
    /** Live updates at most this often (the page loads once more after the last one). */
    static final long NOTIFY_EVERY_NANOS = 250_000_000L;

    StudyTimelines(Clock clock) {
        this.clock = clock;
    }

    /** Told (briefly, on a relay thread) when a study moved on; the console publishes an event. */
    public void onChange(Runnable r) {
        listener = r;
    }

    private void notice() {
        long now = System.nanoTime(), last = lastNotice.get();
        if (now - last < NOTIFY_EVERY_NANOS || !lastNotice.compareAndSet(last, now)) return;
        try {
            listener.run();
        } catch (RuntimeException e) {
            System.getLogger(StudyTimelines.class.getName()).log(System.Logger.Level.WARNING, "timeline listener failed: "
                    + org.dicomrelay.dicom.net.FailureText.of(e));
        }
    }

    /** Now, on this router's clock. */
    Instant now() {
        return clock.instant();
    }

    /** An object of the study passed {@code hop} at {@code at} (null: unknown, e.g. an older router B sent no time). */
    void passed(SpoolEntry e, String remoteRouter, Hop hop, Instant at, Integer status) {
        if (e.studyInstanceUid() == null || at == null) return;
        synchronized (studies) {
            Study s = studies.computeIfAbsent(e.studyInstanceUid(), uid -> new Study(uid, e.callingAe(), e.calledAe(), remoteRouter));
            s.hops.computeIfAbsent(hop, h -> new Times()).add(at, status);
            if (hop == Hop.ANSWERED && status != null && Status.of(status).type() == Status.Type.FAILURE) s.failed++;
            if (!hop.remote) s.lastActivity = at;
        }
        notice();
    }

    /** The studies, the most recently active first. */
    public List<Summary> list() {
        synchronized (studies) {
            return studies.values().stream()
                    .sorted(java.util.Comparator.comparing((Study s) -> s.lastActivity, java.util.Comparator.nullsLast(java.util.Comparator.reverseOrder())))
                    .map(Study::summary).toList();
        }
    }

    /** The timeline of one study, if it is among the last {@link #KEPT}. */
    public Optional<Timeline> of(String studyInstanceUid) {
        synchronized (studies) {
            // a look-up must not count as activity: read without reordering
            Study s = null;
            for (Study x : studies.values()) if (x.uid.equals(studyInstanceUid)) s = x;
            if (s == null) return Optional.empty();
            List<HopView> hops = new ArrayList<>();
            for (Hop h : Hop.values()) {
                Times t = s.hops.get(h);
                Map<String, Integer> statuses = new LinkedHashMap<>();
                if (t != null) t.statuses.forEach((k, v) -> statuses.put(String.format("%04X", k), v));
                hops.add(new HopView(h.name(), h.label, h.remote, t == null ? 0 : t.count, t == null ? null : text(t.first),
                        t == null ? null : text(t.last), statuses));
            }
            return Optional.of(new Timeline(s.summary(), hops));
        }
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }
}
