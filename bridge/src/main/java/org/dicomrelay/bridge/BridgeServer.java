package org.dicomrelay.bridge;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import org.dicomrelay.bridge.console.BridgeConsole;
import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.dicom.net.FailureText;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import java.net.URI;
import java.util.Optional;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;

/**
 * The Bridge: router accounts, the AE directory, the routers' public keys vouched for with the
 * Bridge's signature, provider assignments, notification inboxes, and blobs (Cloud IO "bridge").
 * It never sees image data, queries or private keys of routers: the blobs are sealed end to end.
 * {@link #start} returns once it listens; {@link #close} stops it.
 */
public final class BridgeServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BridgeServer.class.getName());

    private final Database db;
    private final BridgeSigner signer;
    private final Inbox inbox;
    private final Blobs blobs;
    private final Javalin app;
    private final BridgeApi api;
    /** null: plain HTTP. */
    private final TlsMaterial tls;

    private final String bind;
    /** null: no console section in the configuration. */
    private BridgeConsole console;

    /** What the Bridge has seen of its routers' traffic (the console's source; tests read it too). */
    RouterTraffic.Snapshot traffic() {
        return api.traffic();
    }

    private BridgeServer(Database db, BridgeSigner signer, Inbox inbox, Blobs blobs, Javalin app, BridgeApi api, TlsMaterial tls, String bind) {
        this.api = api;
        this.tls = tls;
        this.bind = bind;
        this.db = db;
        this.signer = signer;
        this.inbox = inbox;
        this.blobs = blobs;
        this.app = app;
    }

    public static BridgeServer start(BridgeConfig config) throws IOException {
        return start(config, Clock.systemUTC());
    }

    /** @param clock the time of token expiry and notification visibility (tests pass their own) */
    public static BridgeServer start(BridgeConfig config, Clock clock) throws IOException {
        org.dicomrelay.relay.crypto.GcmWarmUp.startOnce(); // TLS records of large blobs: GCM compiled before they come
        OwnerOnly.folder(config.dataDir());
        BridgeSigner signer;
        try {
            signer = BridgeSigner.loadOrCreate(config.dataDir());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load the Bridge signing keyset from " + config.dataDir() + ": " + e.getMessage(), e);
        }
        TlsMaterial tls = null;
        SslContextFactory.Server sslContext = null;
        if (config.tls().enabled()) {
            try {
                tls = TlsMaterial.loadOrCreate(config, clock.instant());
                sslContext = tls.sslContextFactory();
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot set up the Bridge's TLS (" + config.dataDir().resolve(TlsMaterial.FOLDER) + "): "
                        + FailureText.of(e), e);
            }
        }
        Database db = new Database(config.effectiveJdbcUrl());
        Inbox inbox = null;
        Blobs blobs = null;
        BridgeServer bridge;
        try {
            db.migrate();
            // H2 creates its files with the umask's mode: tighten them (and what older versions left) once they exist.
            OwnerOnly.tighten(config.dataDir());
            BridgeStore store = new BridgeStore(db);
            inbox = new Inbox(store, clock, config.visibilityTimeout().toMillis());
            if (db.shared()) inbox.shareThrough(new DatabaseSignals(db, DatabaseSignals.INBOX, inbox::wake, inbox::wakeAll).start());
            ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
            blobs = new Blobs(new BlobTable(db), new BlobFiles(config.dataDir()), config, clock);
            if (db.shared()) blobs.shareThrough(new DatabaseSignals(db, DatabaseSignals.BLOBS, blobs::refresh, blobs::refreshAll).start());
            BridgeApi api = new BridgeApi(config, store, new AccessStore(db), signer, inbox, blobs, clock, json, tls,
                    new EnrollmentTokens(db), new BridgeMetrics(db));
            SslContextFactory.Server ssl = sslContext;
            Javalin app = Javalin.create(cfg -> {
                cfg.jetty.host = config.bind();
                cfg.jetty.port = config.port();
                cfg.startup.showJavalinBanner = false;
                cfg.startup.showOldJavalinVersionWarning = false;
                cfg.jsonMapper(new JavalinJackson(json, false));
                cfg.http.maxRequestSize = 1024L * 1024;
                // long polls answer within notificationWait; the margin only catches a stuck future
                cfg.http.asyncTimeout = config.notificationWait().toMillis() + 60_000;
                if (ssl != null) {
                    // the only connector: HTTPS (the host name check is the client's business: routers pin the certificate)
                    cfg.jetty.addConnector((server, http) -> {
                        http.addCustomizer(new SecureRequestCustomizer(false));
                        ServerConnector c = new ServerConnector(server, new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                                new HttpConnectionFactory(http));
                        c.setHost(config.bind());
                        c.setPort(config.port());
                        return c;
                    });
                }
                api.configure(cfg);
            });
            app.start();
            blobs.startSweeping();
            bridge = new BridgeServer(db, signer, inbox, blobs, app, api, tls, config.bind());
            LOG.log(System.Logger.Level.INFO, "Bridge listening on " + bridge.url() + " (" + config + ")");
            if (tls != null) {
                LOG.log(System.Logger.Level.INFO, "Bridge TLS certificate SHA-256 fingerprint: " + tls.fingerprint()
                        + " (routers enroll with --bridge-fingerprint " + tls.fingerprint() + ")");
            }
        } catch (RuntimeException | IOException e) {
            if (inbox != null) inbox.close();
            if (blobs != null) blobs.close();
            db.close();
            throw new IOException("the Bridge did not start: " + e.getMessage(), e);
        }
        if (config.console() != null) {
            try {
                bridge.console = BridgeConsole.start(config.console(), config.dataDir(), tls == null ? null : tls.consoleContext(),
                        new BridgeAdmin(bridge.api), bridge.url(), tls == null ? null : tls.fingerprint());
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                bridge.close();
                throw new IOException("the Bridge's console did not start on " + config.console().bind() + ":" + config.console().port()
                        + ": " + FailureText.of(e), e);
            }
        }
        return bridge;
    }

    /** The port it listens on (the one chosen by the system if the configuration said 0). */
    public int port() {
        return app.port();
    }

    /** Whether it serves HTTPS (else plain HTTP, on a loopback address only). */
    public boolean https() {
        return tls != null;
    }

    /** Where it listens, e.g. {@code https://127.0.0.1:8470} (the bind address as configured; a wildcard as 127.0.0.1). */
    public URI url() {
        return url(bind, https(), port());
    }

    /** Where a Bridge with this configuration is reached from its own host (a Bridge on every interface: on loopback). */
    public static URI url(BridgeConfig config) {
        return url(config.bind(), config.tls().enabled(), config.port());
    }

    private static URI url(String bind, boolean https, int port) {
        String host = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind;
        return URI.create((https ? "https" : "http") + "://" + host + ":" + port);
    }

    /** SHA-256 fingerprint of its TLS certificate, as routers pin it ({@code --bridge-fingerprint}); empty on plain HTTP. */
    public Optional<String> fingerprint() {
        return tls == null ? Optional.empty() : Optional.of(tls.fingerprint());
    }

    /**
     * The fingerprint a Bridge with this configuration presents, without starting it: the
     * configured PEM certificate, or the self-created one (created now if it does not exist yet).
     */
    public static String fingerprint(BridgeConfig config) throws IOException {
        if (!config.tls().enabled()) throw new IOException("TLS is disabled in this configuration (tls: {enabled: false}): no certificate");
        OwnerOnly.folder(config.dataDir());
        try {
            return TlsMaterial.loadOrCreate(config, Clock.systemUTC().instant()).fingerprint();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up the Bridge's TLS: " + FailureText.of(e), e);
        }
    }

    /** The Bridge's public signing keyset (Tink binary format), as routers receive it at enrollment. */
    public byte[] publicKeys() {
        return signer.publicKeyset();
    }

    /** The web console's address, if the configuration has a console section. */
    public Optional<URI> consoleUrl() {
        return console == null ? Optional.empty() : Optional.of(console.url());
    }

    @Override
    public void close() {
        if (console != null) console.close();
        api.close();
        inbox.close();
        blobs.close();
        app.stop();
        db.close();
        LOG.log(System.Logger.Level.INFO, "Bridge stopped");
    }

    /** Routers whose directory request is held until a change (tests). */
    int directoryWaiters() {
        return api.directoryWaiters();
    }

    Inbox inbox() {
        return inbox;
    }

    Database database() {
        return db;
    }

    Blobs blobs() {
        return blobs;
    }
}
