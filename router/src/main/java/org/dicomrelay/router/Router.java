package org.dicomrelay.router;

import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.relay.log.RepeatingLog;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.Courier;
import org.dicomrelay.router.link.LinkMessage;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/**
 * One institution's router: the DICOM node local devices talk to, the relay to other routers
 * through its {@link Courier}, and the executor of what other routers ask of its exported AEs.
 */
public final class Router implements Closeable {
    private static final System.Logger LOG = System.getLogger(Router.class.getName());
    private static final RepeatingLog LATE = new RepeatingLog(LOG, Duration.ofMinutes(1));

    private final RouterConfig config;
    private final Courier courier;
    private final RelayService relay;
    private final Listeners listeners;
    private final StoreAssociations stores;
    private final QueryAssociations queries;
    private final LocalDevices devices;
    private final Transfers transfers;

    private Router(RouterConfig config, Courier courier, RelayService relay, Listeners listeners, StoreAssociations stores,
                   QueryAssociations queries, LocalDevices devices, Transfers transfers) {
        this.devices = devices;
        this.transfers = transfers;
        this.config = config;
        this.courier = courier;
        this.relay = relay;
        this.listeners = listeners;
        this.stores = stores;
        this.queries = queries;
    }

    /**
     * How long a C-STORE association to a local device stays open after its last object: long
     * enough to carry a study that arrives object by object, short enough that a device serving
     * one association at a time is soon free for its other clients.
     */
    static final Duration STORE_ASSOCIATION_IDLE = Duration.ofMillis(500);

    /** How long a C-FIND association to a local device stays open after its query: a user's next query usually comes within it. */
    static final Duration QUERY_ASSOCIATION_IDLE = Duration.ofSeconds(2);

    /** Threads for local devices' associations, shared by all; one device holds at most {@code associations.maxPerDevice}. */
    static final int MAX_ASSOCIATIONS = 64;

    /** Associations local devices open to the router: idle and read timeouts from router.yaml. */
    static AssociationOptions scpOptions(RouterConfig config) {
        return AssociationOptions.DEFAULT.withIdleTimeout(config.associations().idleTimeout())
                .withReadTimeout(config.associations().readTimeout());
    }

    /** Associations the router opens to local devices. */
    static AssociationOptions scuOptions() {
        return AssociationOptions.DEFAULT.withDimseTimeout(Duration.ofMinutes(10));
    }

    /**
     * Starts listening on the configured bind address and port and receiving frames.
     * The routing table is kept current by whoever owns it (the Bridge sync).
     */
    public static Router start(RouterConfig config, Courier courier, RoutingTable routes) throws IOException {
        return start(config, courier, routes, new Authority());
    }

    /** As {@link #start(RouterConfig, Courier, RoutingTable)}, refusing new work while {@code authority} says so. */
    public static Router start(RouterConfig config, Courier courier, RoutingTable routes, Authority authority) throws IOException {
        return start(config, courier, routes, authority, PeerAccess.exportsOnly());
    }

    /** As above, performing for another router only what {@code access} grants it. */
    public static Router start(RouterConfig config, Courier courier, RoutingTable routes, Authority authority, PeerAccess access)
            throws IOException {
        OwnerOnly.folder(config.state());
        // The spool's lock first: a second router on this state folder must fail before it cleans anything of the first's.
        Spool spool = Spool.recover(config.state().resolve("spool"));
        StoreAssociations stores = null;
        QueryAssociations queries = null;
        RelayService relay = null;
        try {
            OwnerOnly.tighten(config.state()); // what older versions created with the umask's modes
            Leftovers.clean(config, courier);
            Pending pending = new Pending();
            InboundInstances inbound = new InboundInstances();
            LocalDevices devices = LocalDevices.load(config, scuOptions());
            stores = new StoreAssociations(config.aeTitle(), devices.options(), STORE_ASSOCIATION_IDLE);
            relay = new RelayService(config, routes, courier, pending, spool, stores, devices);
            queries = new QueryAssociations(config.aeTitle(), devices.options(), QUERY_ASSOCIATION_IDLE);
            RemoteExecutor executor = new RemoteExecutor(config, courier, inbound, stores, queries, access, devices);
            courier.start((from, message, payload) -> route(pending, executor, from, message, payload));
            relay.startDeliveries();
            relay.metrics().readiness(() -> !authority.revoked());
            RelayScp scp = new RelayScp(config, routes, authority, devices, relay.metrics());
            Transfers transfers = relay.transfers();
            Listeners listeners = Listeners.start(config, scp, scpOptions(config), MAX_ASSOCIATIONS,
                    transfers.watch(relay.services(inbound, authority)));
            return new Router(config, courier, relay, listeners, stores, queries, devices, transfers);
        } catch (IOException | RuntimeException e) {
            // A start that fails (the port taken) leaves nothing running: no deliveries, no courier, no lock.
            if (relay != null) relay.close();
            else spool.close();
            courier.close();
            if (stores != null) stores.close();
            if (queries != null) queries.close();
            throw e;
        }
    }

    private static void route(Pending pending, RemoteExecutor executor, String from, LinkMessage message, InputStream payload) throws IOException {
        if (message instanceof LinkMessage.Answer || message instanceof LinkMessage.Instance) {
            if (!pending.deliver(from, message, payload)) {
                // Late answers (after their deadline, or to a run before a restart): summarised per router.
                LATE.occurred(from, System.Logger.Level.INFO, "dropped " + message.type() + " from " + from + " for an operation that is not waiting");
            }
        } else {
            executor.onMessage(from, message, payload);
        }
    }

    /** The port of the plain DICOM listener, or of the TLS one when TLS replaces it. */
    public int port() { return listeners.port(); }

    /** The port of the DICOM TLS listener, or -1 without one. */
    public int tlsPort() { return listeners.tlsPort(); }

    public RouterConfig config() { return config; }

    /** Its meters: Prometheus text, liveness and readiness (for a console's /metrics and /health). */
    public RouterMetrics metrics() { return relay.metrics(); }

    /** The local devices table as it is now (the console changes it without a restart). */
    public LocalDevices devices() { return devices; }

    /** What local devices' associations are doing now, and the last ones ended. */
    public Transfers transfers() { return transfers; }

    /** Where the recent studies' objects went, hop by hop. */
    public StudyTimelines timelines() { return relay.timelines(); }

    /**
     * C-ECHO of a remote AE through the router that owns it, as this router's AE title (the
     * path a local device's C-ECHO takes); its status, or an {@link IOException} (a
     * {@link org.dicomrelay.dicom.net.service.DicomServiceException} with the status) saying why not.
     */
    public int echoThroughRelay(String remoteAe) throws IOException {
        return relay.echoThroughRelay(config.aeTitle(), remoteAe, null);
    }

    /** When the cloud provider last answered this router, and last failed it (null: the courier reaches no cloud provider). */
    public org.dicomrelay.router.link.CloudReach cloud() { return courier.cloudReach(); }

    @Override public void close() throws IOException {
        relay.metrics().closed();
        listeners.close();
        relay.close();
        courier.close();
        stores.close();
        queries.close();
    }
}
