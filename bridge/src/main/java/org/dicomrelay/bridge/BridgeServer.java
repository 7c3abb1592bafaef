package org.dicomrelay.bridge;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import org.dicomrelay.dicom.io.OwnerOnly;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;

/**
 * The Bridge: router accounts, the AE directory, the routers' public keys vouched for with the
 * Bridge's signature, provider assignments, and notification inboxes. It never sees image data,
 * queries or private keys of routers. {@link #start} returns once it listens; {@link #close} stops it.
 */
public final class BridgeServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BridgeServer.class.getName());

    private final Database db;
    private final BridgeSigner signer;
    private final Inbox inbox;
    private final Javalin app;

    private BridgeServer(Database db, BridgeSigner signer, Inbox inbox, Javalin app) {
        this.db = db;
        this.signer = signer;
        this.inbox = inbox;
        this.app = app;
    }

    public static BridgeServer start(BridgeConfig config) throws IOException {
        return start(config, Clock.systemUTC());
    }

    /** @param clock the time of token expiry and notification visibility (tests pass their own) */
    public static BridgeServer start(BridgeConfig config, Clock clock) throws IOException {
        OwnerOnly.folder(config.dataDir());
        BridgeSigner signer;
        try {
            signer = BridgeSigner.loadOrCreate(config.dataDir());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load the Bridge signing keyset from " + config.dataDir() + ": " + e.getMessage(), e);
        }
        Database db = new Database(config.effectiveJdbcUrl());
        Inbox inbox = null;
        try {
            db.migrate();
            // H2 creates its files with the umask's mode: tighten them (and what older versions left) once they exist.
            OwnerOnly.tighten(config.dataDir());
            BridgeStore store = new BridgeStore(db);
            inbox = new Inbox(store, clock, config.visibilityTimeout().toMillis());
            ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
            BridgeApi api = new BridgeApi(config, store, signer, inbox, clock, json);
            Javalin app = Javalin.create(cfg -> {
                cfg.jetty.host = config.bind();
                cfg.jetty.port = config.port();
                cfg.startup.showJavalinBanner = false;
                cfg.startup.showOldJavalinVersionWarning = false;
                cfg.jsonMapper(new JavalinJackson(json, false));
                cfg.http.maxRequestSize = 1024L * 1024;
                // long polls answer within notificationWait; the margin only catches a stuck future
                cfg.http.asyncTimeout = config.notificationWait().toMillis() + 60_000;
                api.configure(cfg);
            });
            app.start();
            BridgeServer server = new BridgeServer(db, signer, inbox, app);
            LOG.log(System.Logger.Level.INFO, "Bridge listening on " + config.bind() + ":" + server.port() + " (" + config + ")");
            return server;
        } catch (RuntimeException e) {
            if (inbox != null) inbox.close();
            db.close();
            throw new IOException("the Bridge did not start: " + e.getMessage(), e);
        }
    }

    /** The port it listens on (the one chosen by the system if the configuration said 0). */
    public int port() {
        return app.port();
    }

    /** The Bridge's public signing keyset (Tink binary format), as routers receive it at enrollment. */
    public byte[] publicKeys() {
        return signer.publicKeyset();
    }

    @Override
    public void close() {
        inbox.close();
        app.stop();
        db.close();
        LOG.log(System.Logger.Level.INFO, "Bridge stopped");
    }

    Inbox inbox() {
        return inbox;
    }

    Database database() {
        return db;
    }
}
