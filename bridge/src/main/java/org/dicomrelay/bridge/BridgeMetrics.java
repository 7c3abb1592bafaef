package org.dicomrelay.bridge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Bridge's meters, scraped as Prometheus text at {@code /metrics}: requests and their latency
 * per route (the route's pattern, never the path with its IDs), refused credentials, enrollments,
 * and, read from the database at each scrape, inbox depth per router and the blobs stored. Labels
 * are route patterns, HTTP methods and statuses, credential kinds and router IDs only: never a
 * token, a blob name or anything of a patient.
 */
final class BridgeMetrics {
    /** The label of a request that matched no route (a scan, a typo): one series for all of them. */
    static final String UNMATCHED = "unmatched";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Database db;
    private final Counter enrollments;
    private final MultiGauge inboxDepth;
    private final MultiGauge blobCount;
    private final MultiGauge blobBytes;

    BridgeMetrics(Database db) {
        this.db = db;
        enrollments = Counter.builder("bridge.enrollments").description("Routers enrolled (tokens used)").register(registry);
        inboxDepth = MultiGauge.builder("bridge.inbox.depth").description("Notifications waiting in a router's inbox").register(registry);
        blobCount = MultiGauge.builder("bridge.blobs.stored").description("Blobs stored at the Bridge, per recipient router").register(registry);
        blobBytes = MultiGauge.builder("bridge.blobs.stored.bytes").baseUnit("bytes").description("Bytes of blobs stored at the Bridge, per recipient router")
                .register(registry);
    }

    /** One answered request: {@code route} is the matched pattern (e.g. /api/router/inbox/{id}) or {@link #UNMATCHED}. */
    void request(String method, String route, int status, double millis) {
        Timer.builder("bridge.http.requests").description("HTTP requests answered, per route, method and status")
                .tags("method", method, "route", route, "status", Integer.toString(status))
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(2))
                .register(registry).record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS);
        if (status >= 500) {
            Counter.builder("bridge.failures").description("Requests that failed on the Bridge's side (HTTP 5xx)").tag("route", route)
                    .register(registry).increment();
        }
    }

    /** A refused credential; {@code kind} is e.g. "admin token", never the credential. */
    void authFailed(String kind) {
        Counter.builder("bridge.auth.failures").description("Refused credentials, per kind").tag("credential", kind).register(registry).increment();
    }

    void enrolled() {
        enrollments.increment();
    }

    /** The gauges read from the database, then every meter as Prometheus text (format 0.0.4). */
    String scrape() {
        refresh();
        return registry.scrape();
    }

    /** Blobs stored for one recipient router. */
    private record StoredFor(Tags router, long blobs, long bytes) {}

    private void refresh() {
        List<MultiGauge.Row<?>> depth = new ArrayList<>(), count = new ArrayList<>(), bytes = new ArrayList<>();
        db.jdbi().useHandle(h -> {
            // every active router, with 0 for an empty inbox, so a series does not vanish when the inbox drains
            h.createQuery("SELECT r.router_id, COUNT(m.id) FROM routers r LEFT JOIN inbox_messages m "
                            + "ON m.recipient_id = r.router_id WHERE r.revoked_at IS NULL GROUP BY r.router_id")
                    .map((rs, ctx) -> MultiGauge.Row.of(Tags.of("router", rs.getString(1)), rs.getLong(2)))
                    .forEach(depth::add);
            for (StoredFor s : h.createQuery("SELECT recipient_id, COUNT(*), COALESCE(SUM(size_bytes), 0) FROM blobs GROUP BY recipient_id")
                    .map((rs, ctx) -> new StoredFor(Tags.of("router", rs.getString(1)), rs.getLong(2), rs.getLong(3))).list()) {
                count.add(MultiGauge.Row.of(s.router(), s.blobs()));
                bytes.add(MultiGauge.Row.of(s.router(), s.bytes()));
            }
        });
        inboxDepth.register(depth, true);
        blobCount.register(count, true);
        blobBytes.register(bytes, true);
    }
}
