package org.dicomrelay.bridge;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the Bridge sees of its routers' traffic since it started (in memory, per instance): when each
 * router last made an authenticated call, and per sending and receiving router the notifications
 * published and the blob bytes uploaded (sealed: the Bridge counts bytes, it cannot read them).
 * The console shows it on the routers page and the network map. Bounded: one entry per router, and
 * at most {@link #MAX_LINKS} pairs (a sender naming made-up recipients cannot grow it further).
 */
public final class RouterTraffic {
    /** One direction between two routers: {@code from} sent to {@code to}. */
    public record Link(String from, String to, long notifications, long blobBytes) {}

    /** A snapshot: routers' last calls (epoch milliseconds), the versions they last told, and the links, sorted. */
    public record Snapshot(long takenAtMillis, Map<String, Long> lastSeen, Map<String, String> versions, List<Link> links) {}

    static final int MAX_LINKS = 10_000;

    private record Pair(String from, String to) {}

    private static final class Counters {
        final LongAdder notifications = new LongAdder();
        final LongAdder blobBytes = new LongAdder();
    }

    private final Map<String, AtomicLong> lastSeen = new ConcurrentHashMap<>();
    private final Map<String, String> versions = new ConcurrentHashMap<>();
    private final Map<Pair, Counters> links = new ConcurrentHashMap<>();

    void seen(String routerId, long nowMillis) {
        lastSeen.computeIfAbsent(routerId, k -> new AtomicLong()).accumulateAndGet(nowMillis, Math::max);
    }

    /** The version a router's call named (null: none, kept as it was). */
    void version(String routerId, String version) {
        if (version != null) versions.put(routerId, version);
    }

    void notification(String from, String to) {
        Counters c = link(from, to);
        if (c != null) c.notifications.increment();
    }

    void blobBytes(String from, String to, long bytes) {
        Counters c = bytes > 0 ? link(from, to) : null;
        if (c != null) c.blobBytes.add(bytes);
    }

    /** null once {@link #MAX_LINKS} pairs are counted and this is not one of them. */
    private Counters link(String from, String to) {
        Pair p = new Pair(from, to);
        Counters c = links.get(p);
        if (c != null || links.size() >= MAX_LINKS) return c;
        return links.computeIfAbsent(p, k -> new Counters());
    }

    public Snapshot snapshot(long nowMillis) {
        Map<String, Long> seen = new java.util.TreeMap<>();
        lastSeen.forEach((k, v) -> seen.put(k, v.get()));
        List<Link> out = new ArrayList<>();
        links.forEach((p, c) -> out.add(new Link(p.from(), p.to(), c.notifications.sum(), c.blobBytes.sum())));
        out.sort(Comparator.comparing(Link::from).thenComparing(Link::to));
        return new Snapshot(nowMillis, seen, new java.util.TreeMap<>(versions), out);
    }
}
