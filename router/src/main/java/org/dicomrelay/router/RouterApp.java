package org.dicomrelay.router;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.bridge.ProviderAssignment;
import org.dicomrelay.relay.bridge.RouterRecord;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.dicomrelay.relay.cloud.Notifications;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.CloudCourier;
import org.dicomrelay.router.link.Courier;
import org.dicomrelay.router.link.LinkGuards;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A router as deployed: keys and Bridge credentials from its state folder (written by
 * {@link #enroll}), the routing table and public keys kept current from the Bridge directory
 * (and cached on disk for when the Bridge is unreachable), and the Cloud IO provider the
 * configuration names.
 */
public final class RouterApp implements Closeable {
    private static final System.Logger LOG = System.getLogger(RouterApp.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RouterConfig config;
    private final BridgeClient bridge;
    private final RoutingTable routes;
    private final Map<String, PublicKeys> keys;
    private final Router router;
    private final ScheduledExecutorService sync;
    private final Authority authority;

    private RouterApp(RouterConfig config, BridgeClient bridge, RoutingTable routes, Map<String, PublicKeys> keys, Router router,
                      ScheduledExecutorService sync, Authority authority) {
        this.authority = authority;
        this.config = config;
        this.bridge = bridge;
        this.routes = routes;
        this.keys = keys;
        this.router = router;
        this.sync = sync;
    }

    static Path keysDir(RouterConfig c) { return c.state().resolve("keys"); }

    static Path credentialsFile(RouterConfig c) { return c.state().resolve("bridge-credentials.json"); }

    /** Creates the router's keys and enrolls it at the Bridge with a one-time token. */
    public static void enroll(RouterConfig config, URI bridgeUrl, String token) throws IOException {
        OwnerOnly.folder(config.state());
        if (Files.exists(credentialsFile(config))) throw new IOException("router " + config.routerId() + " is already enrolled ("
                + credentialsFile(config) + " exists)");
        RouterKeys k = Files.exists(keysDir(config).resolve("hpke-private.tink")) ? RouterKeys.load(keysDir(config)) : RouterKeys.generate();
        if (!Files.exists(keysDir(config).resolve("hpke-private.tink"))) k.save(keysDir(config));
        PublicKeys pk = k.publicKeys(config.routerId());
        BridgeCredentials creds = BridgeClient.enroll(bridgeUrl, token, new RouterRecord(config.routerId(), pk.hpkePublicKeyset(),
                pk.signaturePublicKeyset()));
        Path f = credentialsFile(config);
        try (var out = OwnerOnly.newOutputStream(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(JSON.writeValueAsBytes(creds));
        }
    }

    public static RouterApp start(RouterConfig config) throws IOException {
        RouterKeys myKeys = RouterKeys.load(keysDir(config));
        BridgeCredentials creds = JSON.readValue(credentialsFile(config).toFile(), BridgeCredentials.class);
        BridgeClient bridge;
        try {
            bridge = new BridgeClient(creds);
        } catch (GeneralSecurityException e) {
            throw new IOException("the pinned Bridge key in " + credentialsFile(config) + " is not usable: " + e.getMessage(), e);
        }
        RoutingTable routes = new RoutingTable();
        routes.load(config.state().resolve("routes.json"));
        Map<String, PublicKeys> keys = new ConcurrentHashMap<>(loadKeys(config));
        Authority authority = new Authority();
        bridge.listen(authority); // whichever Bridge call hears 401/403 first stops new work at once
        DirectorySync directory = new DirectorySync(config, bridge, routes, keys);
        directory.run();
        String provider = config.cloud() != null ? config.cloud().provider() : null;
        Map<String, String> settings = new HashMap<>();
        ProviderAssignment assigned = null;
        try {
            assigned = bridge.provider().orElse(null);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read the provider assignment from the Bridge: " + FailureText.of(e));
        }
        if (assigned != null) {
            provider = provider == null ? assigned.name() : provider;
            settings.putAll(assigned.settings());
        }
        if (config.cloud() != null) settings.putAll(config.cloud().settings()); // local settings (credentials) win
        if (provider == null) throw new IOException("no Cloud IO provider: set cloud.provider in the configuration or assign one at the Bridge");
        CloudProvider cp = CloudProvider.named(provider);
        BlobStore blobs = cp.blobStore(settings);
        Notifications inbox = cp.notifications(settings, config.routerId(), bridge);
        LinkGuards link = LinkGuards.in(config.state().resolve("link"), Clock.systemUTC(), config.link().maxMessageAge(),
                config.link().maxClockSkew(), config.limits().maxPayloadBytes());
        Courier courier = new AuthorizedCourier(new CloudCourier(config.routerId(), myKeys, keys::get, blobs, inbox,
                config.limits().operationsPerPeer(), link), authority);
        Router router = Router.start(config, courier, routes, authority);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bridge-sync");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(directory::run, 10, 10, TimeUnit.SECONDS);
        return new RouterApp(config, bridge, routes, keys, router, timer, authority);
    }

    private static Map<String, PublicKeys> loadKeys(RouterConfig config) throws IOException {
        Path f = config.state().resolve("keys-directory.json");
        Map<String, PublicKeys> out = new HashMap<>();
        if (!Files.exists(f)) return out;
        Map<String, String> cache = JSON.readValue(f.toFile(), new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() {});
        for (var e : cache.entrySet()) {
            try {
                out.put(e.getKey(), PublicKeys.fromJson(e.getValue()));
            } catch (IOException bad) {
                // One refused entry (e.g. a keyset shape no longer accepted) must not keep the router from starting.
                LOG.log(System.Logger.Level.ERROR, "keys cache " + f + ": router " + e.getKey() + " skipped until the next directory sync: "
                        + FailureText.of(bad));
            }
        }
        return out;
    }

    public Router router() { return router; }

    public int port() { return router.port(); }

    public RoutingTable routes() { return routes; }

    /** Whether the Bridge currently refuses this router's credentials. */
    public Authority authority() { return authority; }

    @Override public void close() throws IOException {
        sync.shutdownNow();
        router.close();
    }
}
