package org.dicomrelay.bridge.console;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import org.dicomrelay.bridge.BridgeAdmin;
import org.dicomrelay.bridge.BridgeConsoleListener;
import org.dicomrelay.console.Accounts;
import org.dicomrelay.console.ConsoleServer;
import org.dicomrelay.dicom.net.FailureText;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Bridge's web console: routers (state, last call, traffic; enrollment tokens created, listed
 * and cancelled; revocation), exported AEs and the access matrix as an editable grid, provider
 * assignment, and a network map with live traffic. Every page action is a call of the very admin
 * API the {@code bridge} commands use ({@link BridgeAdmin}: {@code /api/admin/...}), here guarded
 * by {@link ConsoleServer}'s session, CSRF token and role instead of the admin token, and recorded
 * in the audit log with the signed-in user.
 */
public final class BridgeConsole implements AutoCloseable {
    private final ConsoleServer server;
    private final TrafficSampler traffic;
    private final String bind;

    private BridgeConsole(ConsoleServer server, TrafficSampler traffic, String bind) {
        this.server = server;
        this.traffic = traffic;
        this.bind = bind;
    }

    /**
     * @param dataDir     the Bridge's data folder: the console's accounts and audit log live there
     * @param tls         HTTPS with the Bridge's certificate; null: plain HTTP (the Bridge is plain HTTP on loopback)
     * @param bridgeUrl   the Bridge's API as seen from its own host (the enroll command shown with a new token)
     * @param fingerprint the Bridge's TLS certificate fingerprint; null on plain HTTP
     */
    public static BridgeConsole start(BridgeConsoleListener listener, Path dataDir, SSLContext tls, BridgeAdmin admin, URI bridgeUrl,
                                      String fingerprint) throws IOException {
        ConsoleServer.Settings settings = new ConsoleServer.Settings("bridge", listener.bind(), listener.port(), dataDir, "bridge.html", tls);
        TrafficSampler[] sampler = new TrafficSampler[1];
        ConsoleServer server;
        try {
            server = ConsoleServer.start(settings, Accounts.in(dataDir), Clock.systemUTC(), api -> {
            var r = api.routes();
            admin.routes(r, h -> audited(api, admin, h));
            r.get("/api/console/bridge", ctx -> {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("url", bridgeUrl.toString());
                b.put("fingerprint", fingerprint);
                b.put("version", version());
                ctx.json(b);
            });
            sampler[0] = new TrafficSampler(admin::traffic, api.live(), api.json());
            r.get("/api/console/traffic", ctx -> ctx.json(sampler[0].latest()));
            });
        } catch (IOException | RuntimeException e) {
            if (sampler[0] != null) sampler[0].close();
            throw e;
        }
        return new BridgeConsole(server, sampler[0], listener.bind());
    }

    /**
     * A change is recorded with the signed-in user, whatever its outcome; a successful one wakes the
     * routers waiting for a directory change and tells the open pages to reload.
     */
    private static Handler audited(ConsoleServer.Api api, BridgeAdmin admin, Handler h) {
        return ctx -> {
            if (ctx.method() == HandlerType.GET || ctx.method() == HandlerType.HEAD) {
                h.handle(ctx);
                return;
            }
            String action = ctx.method() + " " + ctx.endpoints().matchedHttpEndpoint().path; // the route's pattern: IDs are in the target
            String target = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
            try {
                h.handle(ctx);
            } catch (Exception | Error e) {
                api.audit(ctx, action, target, "refused: " + FailureText.of(e));
                throw e;
            }
            api.audit(ctx, action, target, "HTTP " + ctx.statusCode());
            admin.changed();
            api.live().publish("changed", "{}");
        };
    }

    static String version() {
        return org.dicomrelay.relay.ProductVersion.current();
    }

    public int port() { return server.port(); }

    public URI url() { return server.url(bind); }

    @Override public void close() {
        if (traffic != null) traffic.close();
        server.close();
    }
}
