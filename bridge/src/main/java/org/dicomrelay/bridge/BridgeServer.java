package org.dicomrelay.bridge;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import org.dicomrelay.dicom.io.OwnerOnly;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

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

    private BridgeServer(Database db, BridgeSigner signer, Inbox inbox, Blobs blobs, Javalin app) {
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
        OwnerOnly.folder(config.dataDir());
        BridgeSigner signer;
        try {
            signer = BridgeSigner.loadOrCreate(config.dataDir());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load the Bridge signing keyset from " + config.dataDir() + ": " + e.getMessage(), e);
        }
        Database db = new Database(config.effectiveJdbcUrl());
        Inbox inbox = null;
        Blobs blobs = null;
        try {
            db.migrate();
            // H2 creates its files with the umask's mode: tighten them (and what older versions left) once they exist.
            OwnerOnly.tighten(config.dataDir());
            BridgeStore store = new BridgeStore(db);
            warnAboutBadSignatures(store, signer);
            inbox = new Inbox(store, clock, config.visibilityTimeout().toMillis());
            ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
            blobs = new Blobs(new BlobTable(db), new BlobFiles(config.dataDir()), config, clock);
            BridgeApi api = new BridgeApi(config, store, signer, inbox, blobs, clock, json);
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
            blobs.startSweeping();
            BridgeServer server = new BridgeServer(db, signer, inbox, blobs, app);
            LOG.log(System.Logger.Level.INFO, "Bridge listening on " + config.bind() + ":" + server.port() + " (" + config + ")");
            return server;
        } catch (RuntimeException | SQLException | IOException e) {
            if (inbox != null) inbox.close();
            if (blobs != null) blobs.close();
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
        blobs.close();
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

    Blobs blobs() {
        return blobs;
    }

    /**
     * Records are signed when they are written; one that no longer verifies was changed in the
     * database by someone without the signing key (or the keyset was replaced). Routers will refuse
     * the directory: say so at start, with the records concerned.
     */
    private static void warnAboutBadSignatures(BridgeStore store, BridgeSigner signer) throws SQLException {
        BridgeStore.DirectorySnapshot d = store.directory();
        List<String> bad = new ArrayList<>();
        Base64.Decoder b64 = Base64.getDecoder();
        for (BridgeStore.RouterRow r : d.routers()) {
            if (!signer.verifies(b64.decode(r.recordSignature()), r.record().signedBytes())) bad.add("router " + r.routerId());
        }
        for (BridgeStore.AeRow a : d.aes()) {
            if (!signer.verifies(b64.decode(a.recordSignature()), a.record().signedBytes())) bad.add("AE " + a.aeTitle());
        }
        if (!bad.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "directory records whose Bridge signature does not verify (altered in the database, "
                    + "or the signing keyset was replaced); routers will reject the directory: " + String.join(", ", bad));
        }
    }
}
