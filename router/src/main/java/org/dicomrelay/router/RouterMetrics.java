package org.dicomrelay.router;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.router.config.RoutingTable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One router's meters, as Prometheus text ({@link #scrape()}) for its console's {@code /metrics}:
 * associations of local devices, objects and bytes relayed per route (destination AE and the router
 * that owns it), queue depth per destination, delivery failures, dead letters, and latency
 * histograms of store answers and C-FIND. Labels are AE titles, router IDs and outcomes only:
 * never a UID, a patient's name or anything of a data set.
 */
public final class RouterMetrics {
    /** The router that owns a destination AE no longer in the routing table (or a local one). */
    static final String NO_ROUTE = "none";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RoutingTable routes;
    private final MultiGauge queueDepth;
    private volatile Supplier<Map<String, Integer>> queues = Map::of;
    private volatile BooleanSupplier ready = () -> true;
    private volatile boolean closed;

    RouterMetrics(String routerId, RoutingTable routes) {
        this.routes = routes;
        registry.config().commonTags("router_id", routerId);
        queueDepth = MultiGauge.builder("router.queue.depth").description("Spooled objects waiting or in flight, per destination AE").register(registry);
    }

    /** A router's meters with the process's own beside them: heap, threads, CPU, uptime (Micrometer's standard binders). */
    static RouterMetrics withProcessMeters(String routerId, RoutingTable routes) {
        RouterMetrics m = new RouterMetrics(routerId, routes);
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(m.registry);
        new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(m.registry);
        new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(m.registry);
        new io.micrometer.core.instrument.binder.system.UptimeMetrics().bindTo(m.registry);
        return m;
    }

    /** A local device's association was accepted. */
    void association(String callingAe) {
        Counter.builder("router.associations").description("Associations of local devices accepted").tag("device", callingAe)
                .register(registry).increment();
    }

    /** A spooled object reached its destination (the remote store answered success or warning). */
    void delivered(String destinationAe, long bytes) {
        Tags route = route(destinationAe);
        Counter.builder("router.relayed.objects").description("Objects relayed, per route").tags(route).register(registry).increment();
        Counter.builder("router.relayed.bytes").baseUnit("bytes").description("Bytes of objects relayed, per route").tags(route)
                .register(registry).increment(bytes);
    }

    /** A delivery attempt failed; {@code outcome} is transient (retried) or permanent. */
    void deliveryFailed(String destinationAe, DeliveryOutcome outcome) {
        Counter.builder("router.delivery.failures").description("Delivery attempts that failed, per route and outcome").tags(route(destinationAe))
                .tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT)).register(registry).increment();
    }

    void deadLettered(String destinationAe) {
        Counter.builder("router.dead.letters").description("Objects given up on, waiting for an operator").tags(route(destinationAe))
                .register(registry).increment();
    }

    /** From sending a spooled object to its outcome (the remote store's answer, or the deadline). */
    void storeAnswer(String destinationAe, long nanos) {
        Timer.builder("router.store.answer").description("Time from sending a stored object to its answer, per route").tags(route(destinationAe))
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(10)).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A C-FIND handler timed from the request to its last response, per called AE (the route). */
    DimseServices.QueryHandler timedFind(DimseServices.QueryHandler find) {
        return (as, rq, responder) -> {
            long start = System.nanoTime();
            try {
                find.run(as, rq, responder);
            } finally {
                Timer.builder("router.find").description("C-FIND from request to last response, per route").tags(route(as.calledAeTitle()))
                        .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(10)).register(registry)
                        .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
        };
    }

    /** Where the queue depth per destination comes from (read at each scrape). */
    void queues(Supplier<Map<String, Integer>> depths) {
        queues = depths;
    }

    /** What readiness means for this router (e.g. the Bridge does not refuse it). */
    void readiness(BooleanSupplier r) {
        ready = r;
    }

    void closed() {
        closed = true;
    }

    /** Every meter as Prometheus text (format 0.0.4). */
    public String scrape() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        queues.get().forEach((ae, depth) -> rows.add(MultiGauge.Row.of(route(ae), depth)));
        queueDepth.register(rows, true);
        return registry.scrape();
    }

    /** Live: the router runs (not closed). */
    public boolean live() {
        return !closed;
    }

    /** Ready: live, and able to take new work. */
    public boolean ready() {
        return !closed && ready.getAsBoolean();
    }

    private Tags route(String destinationAe) {
        String owner = routes == null ? NO_ROUTE : routes.route(destinationAe).map(RoutingTable.Route::routerId).orElse(NO_ROUTE);
        return Tags.of("destination", destinationAe, "destination_router", owner);
    }
}
