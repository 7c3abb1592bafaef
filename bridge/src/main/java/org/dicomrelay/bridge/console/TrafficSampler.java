package org.dicomrelay.bridge.console;

import org.dicomrelay.bridge.RouterTraffic;
import org.dicomrelay.console.LiveUpdates;
import org.dicomrelay.dicom.net.FailureText;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Samples the Bridge's {@link RouterTraffic} every {@link #PERIOD_MILLIS} ms and turns the counters
 * into rates over the last period (blob bytes and notifications per second, per router pair),
 * published to the open console pages as the {@code traffic} event (the network map's live labels).
 * Owns its one thread.
 */
final class TrafficSampler implements AutoCloseable {
    static final long PERIOD_MILLIS = 2_000;
    private static final System.Logger LOG = System.getLogger(TrafficSampler.class.getName());

    /** A link's totals since the Bridge started and its rates over the last period. */
    record LinkView(String from, String to, long notifications, long blobBytes, double notificationsPerSecond, double blobBytesPerSecond) {}

    /** What the console shows: when sampled, each router's last call (ISO-8601) and version, the links. */
    record View(String sampledAt, Map<String, String> lastSeen, Map<String, String> versions, List<LinkView> links) {}

    private final Supplier<RouterTraffic.Snapshot> source;
    private final LiveUpdates live;
    private final com.fasterxml.jackson.databind.ObjectMapper json;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bridge-console-traffic");
        t.setDaemon(true);
        return t;
    });
    private RouterTraffic.Snapshot previous;
    private View latest;

    TrafficSampler(Supplier<RouterTraffic.Snapshot> source, LiveUpdates live, com.fasterxml.jackson.databind.ObjectMapper json) {
        this.source = source;
        this.live = live;
        this.json = json;
        sample();
        timer.scheduleWithFixedDelay(this::publish, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    synchronized View latest() {
        return latest;
    }

    private void publish() {
        try {
            View v = sample();
            if (live.listeners() > 0) live.publish("traffic", json.writeValueAsString(v));
        } catch (Exception e) {
            // a failed sample must not end the schedule
            LOG.log(System.Logger.Level.WARNING, "console traffic sample failed: " + FailureText.of(e));
        }
    }

    private synchronized View sample() {
        RouterTraffic.Snapshot now = source.get();
        Map<String, RouterTraffic.Link> before = new HashMap<>();
        if (previous != null) for (RouterTraffic.Link l : previous.links()) before.put(l.from() + "\u0000" + l.to(), l);
        double seconds = previous == null ? 0 : Math.max(0.001, (now.takenAtMillis() - previous.takenAtMillis()) / 1000.0);
        List<LinkView> links = new ArrayList<>();
        for (RouterTraffic.Link l : now.links()) {
            RouterTraffic.Link b = before.get(l.from() + "\u0000" + l.to());
            double n = b == null || seconds == 0 ? 0 : (l.notifications() - b.notifications()) / seconds;
            double bytes = b == null || seconds == 0 ? 0 : (l.blobBytes() - b.blobBytes()) / seconds;
            links.add(new LinkView(l.from(), l.to(), l.notifications(), l.blobBytes(), n, bytes));
        }
        Map<String, String> seen = new java.util.TreeMap<>();
        now.lastSeen().forEach((k, v) -> seen.put(k, java.time.Instant.ofEpochMilli(v).toString()));
        previous = now;
        latest = new View(java.time.Instant.ofEpochMilli(now.takenAtMillis()).toString(), seen, now.versions(), links);
        return latest;
    }

    @Override public void close() {
        timer.shutdownNow();
    }
}
