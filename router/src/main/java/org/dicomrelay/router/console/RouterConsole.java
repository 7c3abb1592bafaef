package org.dicomrelay.router.console;

import io.javalin.http.Context;
import org.dicomrelay.console.Accounts;
import org.dicomrelay.console.ConsoleException;
import org.dicomrelay.console.ConsoleServer;
import org.dicomrelay.console.RecentLog;
import org.dicomrelay.router.PeerStatus;
import org.dicomrelay.router.Router;
import org.dicomrelay.router.RouterApp;
import org.dicomrelay.router.SpoolControl;
import org.dicomrelay.router.SpoolRequest;
import org.dicomrelay.router.StudyTimelines;
import org.dicomrelay.router.config.ConsoleListener;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The router's web console: devices (list, add, edit, remove, C-ECHO), the remote AEs of the
 * routing table, the spool's queue per
 * destination (retry, resubmit, discard, single and bulk) and the status. Each page action is an
 * HTTP call of its JSON API below {@code /api/}, which the {@code devices} and {@code spool}
 * commands use too; sign-in, CSRF, roles and the audit trail are {@link ConsoleServer}'s.
 */
public final class RouterConsole implements AutoCloseable {
    /** How long a queue action waits for the router to apply it (it looks for requests every second). */
    static final Duration QUEUE_ACTION_WAIT = Duration.ofSeconds(15);

    private final ConsoleServer server;
    private final String bind;
    private final RecentLog log;

    private RouterConsole(ConsoleServer server, String bind, RecentLog log) {
        this.server = server;
        this.bind = bind;
        this.log = log;
    }

    /**
     * @param configFile router.yaml, where device changes are written (null: not persisted)
     * @param routes     the routing table as received from the Bridge (the remote AEs page)
     * @param status     the Bridge's side of the status page
     */
    public static RouterConsole start(ConsoleListener listener, RouterConfig config, Path configFile, Router router, RoutingTable routes,
                                      Supplier<BridgeStatus> status) throws IOException {
        DeviceEditor editor = new DeviceEditor(router.devices(), configFile);
        ConsoleServer.Settings settings = new ConsoleServer.Settings("router " + config.routerId(), listener.bind(), listener.port(),
                config.state(), "router.html", listener.tls());
        RecentLog log = RecentLog.attach();
        ConsoleServer server;
        try {
            server = ConsoleServer.start(settings, Accounts.in(config.state()), Clock.systemUTC(), api -> {
            var r = api.routes();
            // Devices
            r.get("/api/devices", ctx -> ctx.json(router.devices().all()));
            r.post("/api/devices", ctx -> {
                Device d = editor.add(ctx.bodyAsClass(DeviceForm.class));
                api.audit(ctx, "device.add", d.aeTitle(), "ok");
                api.live().publish("devices", "{}");
                ctx.status(201).json(d);
            });
            r.put("/api/devices/{ae}", ctx -> {
                String ae = ae(ctx);
                Device d = editor.update(ae, ctx.bodyAsClass(DeviceForm.class));
                api.audit(ctx, "device.edit", ae + (ae.equals(d.aeTitle()) ? "" : " -> " + d.aeTitle()), "ok");
                api.live().publish("devices", "{}");
                ctx.json(d);
            });
            r.delete("/api/devices/{ae}", ctx -> {
                String ae = ae(ctx);
                editor.remove(ae);
                api.audit(ctx, "device.remove", ae, "ok");
                api.live().publish("devices", "{}");
                ctx.status(204);
            });
            // Echo: a local device directly, a remote AE through the relay (one handler for both pages and `devices echo`)
            r.post("/api/devices/{ae}/echo", ctx -> echo(ctx, api, router, routes, config));
            r.post("/api/remote-aes/{ae}/echo", ctx -> echo(ctx, api, router, routes, config));
            // Transfers: local devices' associations, live
            r.get("/api/transfers", ctx -> ctx.json(router.transfers().list()));
            router.transfers().onChange(() -> api.live().publish("transfers", "{}"));
            // The per-study timeline across the hops of the relay
            r.get("/api/studies", ctx -> ctx.json(router.timelines().list()));
            router.timelines().onChange(() -> api.live().publish("studies", "{}"));
            r.get("/api/studies/{uid}", ctx -> {
                String uid = URLDecoder.decode(ctx.pathParam("uid"), StandardCharsets.UTF_8);
                if (!uid.matches("[0-9.]{1,64}")) throw ConsoleException.invalid("uid", "not a UID (PS3.5 §9: digits and dots, 64 at most)");
                ctx.json(router.timelines().of(uid).orElseThrow(() -> ConsoleException.notFound("no recent study " + uid
                        + " (the last " + StudyTimelines.KEPT + " are kept)")));
            });
            // Remote AEs: the routing table as the Bridge's directory gave it
            r.get("/api/remote-aes", ctx -> ctx.json(routes.all().stream().sorted(java.util.Comparator.comparing(RoutingTable.Route::aeTitle)).toList()));
            // Queue: the spool's entries; actions through SpoolControl, as the spool command does
            r.get("/api/queue", ctx -> ctx.json(QueueView.of(config.state())));
            r.post("/api/queue/{action}", ctx -> {
                SpoolRequest.Action action;
                try {
                    action = SpoolRequest.Action.parse(ctx.pathParam("action"));
                } catch (IllegalArgumentException e) {
                    throw ConsoleException.notFound("no queue action " + ctx.pathParam("action") + ": retry, resubmit or discard");
                }
                SpoolRequest.Selector selector = ctx.bodyAsClass(SpoolRequest.Selector.class);
                String user = api.session(ctx).user();
                var answer = SpoolControl.apply(config.state(), new SpoolRequest(action, selector, "console user " + user), QUEUE_ACTION_WAIT);
                api.audit(ctx, "queue." + action.text(), selector.toString(), answer.message());
                api.live().publish("queue", "{}");
                ctx.json(answer);
            });
            // Status
            r.get("/api/status", ctx -> {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("routerId", config.routerId());
                s.put("aeTitle", config.aeTitle());
                s.put("dicomPort", router.port());
                s.put("version", version());
                s.put("devices", router.devices().all().size());
                s.put("bridge", status.get());
                s.put("cloud", router.cloud() == null ? null : router.cloud().view());
                ctx.json(s);
            });
            // Peers' pinned keys, and the operator's confirmation of a changed key (as 'router peers confirm')
            r.get("/api/peers", ctx -> ctx.json(RouterApp.peers(config)));
            r.post("/api/peers/{routerId}/confirm", ctx -> {
                String id = ctx.pathParam("routerId");
                String fingerprint = ctx.bodyAsClass(Confirmation.class).fingerprint();
                PeerStatus p = RouterApp.peers(config).stream().filter(x -> x.routerId().equals(id)).findFirst()
                        .orElseThrow(() -> ConsoleException.notFound("no pinned peer " + id));
                if (p.pendingFingerprint() == null || !p.pendingFingerprint().equals(fingerprint)) {
                    throw ConsoleException.invalid("fingerprint", "router " + id + " has no pending key with fingerprint " + fingerprint);
                }
                RouterApp.confirmPeer(config, id, fingerprint);
                api.audit(ctx, "peer.confirm", id + " " + fingerprint, "ok");
                ctx.json(Map.of("message", "keys " + fingerprint + " of router " + id + " confirmed; applied at the next directory sync"));
            });
            r.get("/api/log", ctx -> ctx.json(log.last(50)));
            // Outside /api/, so they need no session: a Prometheus scraper and a liveness probe hold no account.
            // No patient data in them: AE titles and router ids only.
            r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(router.metrics().scrape()));
            r.get("/health/live", ctx -> health(ctx, router.metrics().live()));
            r.get("/health/ready", ctx -> health(ctx, router.metrics().ready()));
            });
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
        return new RouterConsole(server, listener.bind(), log);
    }

    /**
     * C-ECHO of {@code {ae}}: a local device from this router, else a remote AE of the routing table
     * through the router that exports it; audited either way.
     */
    private static void echo(Context ctx, ConsoleServer.Api api, Router router, RoutingTable routes, RouterConfig config) {
        String ae = ae(ctx);
        Device d = router.devices().find(ae).orElse(null);
        DeviceEcho.Result res;
        if (d != null) {
            res = DeviceEcho.echo(router.devices(), d, config.aeTitle());
        } else {
            RoutingTable.Route remote = routes.route(ae)
                    .orElseThrow(() -> ConsoleException.notFound("no device or remote AE " + ae));
            res = RemoteEcho.echo(router, ae, remote.routerId());
        }
        api.audit(ctx, d != null ? "device.echo" : "remote.echo", ae, res.success() ? "success in " + res.milliseconds() + " ms" : "failed: " + res.error());
        ctx.json(res);
    }

    private static void health(Context ctx, boolean up) {
        ctx.status(up ? 200 : 503).json(Map.of("status", up ? "UP" : "DOWN"));
    }

    private static String ae(Context ctx) {
        return URLDecoder.decode(ctx.pathParam("ae"), StandardCharsets.UTF_8);
    }

    static String version() {
        return org.dicomrelay.relay.ProductVersion.current();
    }

    public int port() { return server.port(); }

    public URI url() { return server.url(bind); }

    /** The body of a key confirmation: the fingerprint the operator compared with the peer's operator. */
    record Confirmation(@com.fasterxml.jackson.annotation.JsonProperty("fingerprint") String fingerprint) {}

    @Override public void close() {
        log.close();
        server.close();
    }
}
