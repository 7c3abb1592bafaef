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
import org.dicomrelay.relay.crypto.KeyRotation;
import org.dicomrelay.relay.cloud.bridge.BridgeBlobProvider;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.dicomrelay.relay.crypto.SessionKeyPairs;
import org.dicomrelay.relay.crypto.Sessions;
import org.dicomrelay.relay.tls.BridgeHttp;
import org.dicomrelay.relay.tls.InsecureBridgeUrlException;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.CloudCourier;
import org.dicomrelay.router.link.Courier;
import org.dicomrelay.router.link.LinkGuards;
import org.dicomrelay.router.console.BridgeStatus;
import org.dicomrelay.router.console.RouterConsole;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A router as deployed: keys and Bridge credentials from its state folder (written by
 * {@link #enroll}), the routing table and public keys kept current from the Bridge directory
 * (and cached on disk for when the Bridge is unreachable), and the Cloud IO provider the
 * configuration names, else the one the Bridge assigned, else "bridge" (blobs stored at the Bridge).
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
    private final Sessions sessions;
    private final RouterConsole console;

    private RouterApp(RouterConfig config, BridgeClient bridge, RoutingTable routes, Map<String, PublicKeys> keys, Router router,
                      ScheduledExecutorService sync, Authority authority, Sessions sessions, RouterConsole console) {
        this.console = console;
        this.authority = authority;
        this.sessions = sessions;
        this.config = config;
        this.bridge = bridge;
        this.routes = routes;
        this.keys = keys;
        this.router = router;
        this.sync = sync;
    }

    static Path keysDir(RouterConfig c) { return c.state().resolve("keys"); }

    /** This router's session key pairs (private halves 0600, deleted when they expire). */
    public static Path sessionKeysDir(RouterConfig c) { return c.state().resolve("link").resolve("session-keys"); }

    static Path credentialsFile(RouterConfig c) { return c.state().resolve("bridge-credentials.json"); }

    /** Creates the router's keys and enrolls it at the Bridge with a one-time token (plain http to a loopback Bridge, or a CA-issued certificate). */
    public static void enroll(RouterConfig config, URI bridgeUrl, String token) throws IOException {
        enroll(config, bridgeUrl, null, token);
    }

    /**
     * Creates the router's keys and enrolls it at the Bridge with a one-time token, over HTTPS to
     * the Bridge whose certificate has this SHA-256 fingerprint (null: the JDK's CA store decides).
     * The credentials file keeps the pin and the router's TLS client certificate and key (0600).
     */
    public static void enroll(RouterConfig config, URI bridgeUrl, String bridgeFingerprint, String token) throws IOException {
        try {
            BridgeHttp.requireSafe(bridgeUrl); // before anything is created or sent
        } catch (InsecureBridgeUrlException e) {
            throw new IOException(e.getMessage(), e);
        }
        OwnerOnly.folder(config.state());
        if (Files.exists(credentialsFile(config))) throw new IOException("router " + config.routerId() + " is already enrolled ("
                + credentialsFile(config) + " exists)");
        RouterKeys k = Files.exists(keysDir(config).resolve("hpke-private.tink")) ? RouterKeys.load(keysDir(config)) : RouterKeys.generate();
        if (!Files.exists(keysDir(config).resolve("hpke-private.tink"))) k.save(keysDir(config));
        PublicKeys pk = k.publicKeys(config.routerId());
        BridgeCredentials creds = BridgeClient.enroll(bridgeUrl, bridgeFingerprint, token, new RouterRecord(config.routerId(), pk.hpkePublicKeyset(),
                pk.signaturePublicKeyset()));
        Path f = credentialsFile(config);
        try (var out = OwnerOnly.newOutputStream(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(JSON.writeValueAsBytes(creds));
        }
    }

    /**
     * Replaces this router's keys: new keys, signed by the current ones, published at the Bridge,
     * then made current (the replaced HPKE key is kept {@link RouterKeys#PREVIOUS_KEPT} so that
     * messages already sealed to it still open). Run it with the router stopped; if it fails
     * half-way, running it again completes it with the same new keys. Returns the new fingerprint.
     */
    public static String rotateKeys(RouterConfig config) throws IOException {
        BridgeCredentials creds = BridgeEndpoint.configured(config, JSON.readValue(credentialsFile(config).toFile(), BridgeCredentials.class),
                credentialsFile(config));
        BridgeClient bridge;
        try {
            bridge = new BridgeClient(creds, BridgeEndpoint.standbys(config));
        } catch (GeneralSecurityException e) {
            throw new IOException("the pinned Bridge key in " + credentialsFile(config) + " is not usable: " + e.getMessage(), e);
        }
        RouterKeys current = RouterKeys.load(keysDir(config));
        PublicKeys next = RouterKeys.prepareRotation(keysDir(config)).publicKeys(config.routerId());
        bridge.rotateKeys(new RouterRecord(config.routerId(), next.hpkePublicKeyset(), next.signaturePublicKeyset()),
                KeyRotation.sign(current, next));
        RouterKeys.commitRotation(keysDir(config), Instant.now());
        return next.fingerprint();
    }

    /** The peers this router pinned, with pending changes and confirmations not yet applied. */
    public static List<PeerStatus> peers(RouterConfig config) throws IOException {
        PeerPins pins = PeerPins.load(config.state());
        List<PeerStatus> out = new ArrayList<>();
        for (var e : pins.all().entrySet()) {
            PeerPins.Pin p = e.getValue();
            out.add(new PeerStatus(e.getKey(), p.pinned().fingerprint(), p.pending() == null ? null : p.pending().fingerprint(),
                    PeerPins.confirmation(config.state(), e.getKey()).orElse(null)));
        }
        return out;
    }

    /** The operator confirms a peer's new keys by their fingerprint; a running router applies it at its next directory sync. */
    public static void confirmPeer(RouterConfig config, String routerId, String fingerprint) throws IOException {
        PeerPins.confirm(config.state(), routerId, fingerprint);
    }

    public static RouterApp start(RouterConfig config) throws IOException {
        return start(config, null);
    }

    /** As {@link #start(RouterConfig)}; the console writes device changes to {@code configFile} (null: it does not persist them). */
    public static RouterApp start(RouterConfig config, Path configFile) throws IOException {
        org.dicomrelay.relay.crypto.GcmWarmUp.startOnce(); // envelopes and TLS of large objects: GCM compiled before they come
        RouterKeys myKeys = RouterKeys.load(keysDir(config));
        BridgeCredentials enrolled = JSON.readValue(credentialsFile(config).toFile(), BridgeCredentials.class);
        BridgeCredentials creds = BridgeEndpoint.configured(config, enrolled, credentialsFile(config));
        BridgeClient bridge;
        try {
            bridge = new BridgeClient(creds, BridgeEndpoint.standbys(config));
        } catch (InsecureBridgeUrlException e) {
            throw new IOException((creds == enrolled ? credentialsFile(config).toString() : "bridgeUrl of the configuration") + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IOException("the pinned Bridge key or the TLS client certificate in " + credentialsFile(config) + " is not usable: "
                    + FailureText.of(e), e);
        }
        BridgeEndpoint.checkMoved(bridge, enrolled, creds);
        RoutingTable routes = new RoutingTable();
        routes.load(config.state().resolve("routes.json"));
        // Until the first sync: the pinned keys of the last run (a Bridge that is down changes nothing we trust).
        PeerPins pins = PeerPins.load(config.state());
        PublicKeys self = myKeys.publicKeys(config.routerId());
        Map<String, PublicKeys> keys = new ConcurrentHashMap<>();
        pins.all().keySet().forEach(id -> pins.trusted(id).ifPresent(k -> keys.put(id, k)));
        keys.put(self.routerId(), self);
        PeerAccess access = PeerAccess.matrix(config.routerId());
        access.load(config.state().resolve(DirectorySync.ACCESS_CACHE));
        Authority authority = new Authority();
        bridge.listen(authority); // whichever Bridge call hears 401/403 first stops new work at once
        DirectorySync directory = new DirectorySync(config, bridge, routes, keys, access, pins, DirectoryFreshness.load(config.state()), self,
                Clock.systemUTC());
        directory.run();
        String provider = config.cloud() != null ? config.cloud().provider() : null;
        Map<String, String> settings = new HashMap<>();
        // from the signed, current directory only: a forged assignment does not verify
        ProviderAssignment assigned = directory.accepted().flatMap(d -> d.router(config.routerId())).map(r -> r.assignment()).orElse(null);
        if (directory.accepted().isEmpty()) {
            AssignmentCache.Cached cached = AssignmentCache.load(config.state());
            if (cached.known()) {
                assigned = cached.assignment();
                LOG.log(System.Logger.Level.WARNING, "no current directory from the Bridge at start: the Cloud IO provider of the last one accepted ("
                        + (assigned == null ? "none assigned" : assigned.name()) + ") is used");
            } else if (provider == null) {
                // Guessing the default could pick another store than the Bridge assigned: its peers' blobs would be out of reach.
                throw new IOException("no current directory from the Bridge to read the Cloud IO provider assignment from (none accepted since "
                        + "enrollment), and cloud.provider is not set in the configuration");
            } else {
                LOG.log(System.Logger.Level.WARNING, "no provider assignment from the Bridge (no current directory); using the configuration's");
            }
        }
        if (assigned != null) provider = provider == null ? assigned.name() : provider;
        if (provider == null) provider = BridgeBlobProvider.NAME; // the default: nothing to share but the Bridge
        CloudProvider cp = CloudProvider.named(provider);
        if (assigned != null) {
            for (var e : assigned.settings().entrySet()) {
                if (cp.secretSettings().contains(e.getKey())) { // credentials come from this router only
                    LOG.log(System.Logger.Level.WARNING, "the Bridge's provider assignment carries the secret setting '" + e.getKey()
                            + "': ignored (set it in router.yaml or use the provider's default credential chain)");
                } else {
                    settings.put(e.getKey(), e.getValue());
                }
            }
        }
        if (config.cloud() != null) settings.putAll(config.cloud().settings()); // local settings (credentials) win
        BlobStore blobs = cp.blobStore(settings, bridge);
        Notifications inbox = cp.notifications(settings, config.routerId(), bridge);
        try {
            inbox.prepare(); // before the router takes work: a peer's first answer must find our inbox
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not prepare this router's inbox yet (its polls try again): " + FailureText.of(e));
        }
        LinkGuards link = LinkGuards.in(config.state().resolve("link"), Clock.systemUTC(), config.link().maxMessageAge(),
                config.link().maxClockSkew(), config.limits().maxPayloadBytes());
        Sessions sessions = new Sessions(config.routerId(), myKeys, SessionKeyPairs.in(sessionKeysDir(config),
                config.routerId(), myKeys, config.link().sessionPolicy().keyRotation(), config.link().sessionPolicy().inFlight(),
                Clock.systemUTC()), config.link().sessionPolicy(), Clock.systemUTC());
        Courier courier = new AuthorizedCourier(new CloudCourier(sessions, keys::get, blobs, inbox,
                config.limits().operationsPerPeer(), link).batchingStoreAnswers(config.link().answerLinger(), config.link().answerBatchMax())
                .bundling(config.link().bundleObjectMaxBytes(), config.link().bundleBytes(), config.link().bundleLinger()),
                authority);
        Router router = Router.start(config, courier, routes, authority, access);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("bridge-sync"));
        if (blobs.sweepsExpired()) {
            // Orphans (a sender that crashed): every sender deletes what stayed unconfirmed for blobMaxAge, so 4 times that is dead for sure.
            java.time.Duration orphanAge = config.blobMaxAge().multipliedBy(4).compareTo(java.time.Duration.ofDays(1)) > 0
                    ? config.blobMaxAge().multipliedBy(4) : java.time.Duration.ofDays(1);
            timer.scheduleWithFixedDelay(() -> sweepOrphans(blobs, orphanAge), 1, 30, java.util.concurrent.TimeUnit.MINUTES);
        }
        directory.exportsFrom(router.devices());
        // a device exported or withdrawn in the console is published now, not at the next directory change
        router.devices().onChange(d -> timer.execute(directory::run));
        directory.watch(timer); // a long poll: a directory change arrives within a round trip
        RouterConsole console = null;
        if (config.console() != null) {
            try {
                console = RouterConsole.start(config.console(), config, configFile, router, routes, () -> {
                    DirectorySync.SyncState st = directory.state();
                    return BridgeStatus.of(creds.bridgeUrl().toString(), st.ok(), st.last(), st.lastSuccess(), self.fingerprint());
                });
            } catch (IOException | RuntimeException e) {
                timer.shutdownNow();
                router.close();
                throw e;
            }
        }
        return new RouterApp(config, bridge, routes, keys, router, timer, authority, sessions, console);
    }

    /** Its web console (null: router.yaml has no {@code console} section). */
    public RouterConsole console() { return console; }

    private static void sweepOrphans(BlobStore blobs, java.time.Duration age) {
        try {
            int n = blobs.sweepExpired(age);
            if (n > 0) LOG.log(System.Logger.Level.INFO, "deleted " + n + " orphaned blob(s) or unfinished upload(s) older than " + age);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not sweep orphaned blobs, will try again: " + FailureText.of(e));
        }
    }

    public Router router() { return router; }

    public int port() { return router.port(); }

    public RoutingTable routes() { return routes; }

    /** This router's link sessions (their public-key work is counted: {@link Sessions#publicKeyOperations}). */
    public Sessions sessions() { return sessions; }

    /** Whether the Bridge currently refuses this router's credentials. */
    public Authority authority() { return authority; }

    @Override public void close() throws IOException {
        if (console != null) console.close();
        sync.shutdownNow();
        try {
            router.close();
        } finally {
            bridge.close(); // after the courier: its last sends and deletes still go
        }
    }
}
