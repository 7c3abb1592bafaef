package org.dicomrelay.console;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.SameSite;
import io.javalin.json.JavalinJackson;
import org.dicomrelay.dicom.net.FailureText;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import javax.net.ssl.SSLContext;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A product's web console over HTTP: its page and assets (from the jar: hospitals may have no
 * internet), sign-in with local {@link Accounts}, server-side sessions in an HttpOnly,
 * SameSite=Strict cookie (Secure over HTTPS), the CSRF synchroniser token on every change, the
 * {@link SignInThrottle}, the two roles, the {@link AuditLog} and {@link LiveUpdates}.
 * <p>
 * Every path under {@code /api/} needs a session (401 without); a request other than GET/HEAD
 * needs the session's token in {@value #CSRF_HEADER} (403 without) and an admin (403 for a
 * viewer); the product adds its routes through {@link Api} and need not check any of this again.
 * Paths outside {@code /api/} (the page, assets, and later {@code /metrics} and {@code /health})
 * need no session.
 */
public final class ConsoleServer implements AutoCloseable {
    public static final String COOKIE = "console_session", CSRF_HEADER = "X-CSRF-Token";
    private static final System.Logger LOG = System.getLogger(ConsoleServer.class.getName());
    static final String SESSION_ATTRIBUTE = "console.session";
    private static final Set<HandlerType> READS = Set.of(HandlerType.GET, HandlerType.HEAD);
    private static final int MAX_THREADS = 16;

    /**
     * @param product shown in the page title ("router r1")
     * @param page    the product's page among the assets (e.g. {@code router.html}), served at {@code /}
     * @param stateDir where the accounts and the audit log live
     * @param tls      HTTPS ({@link ConsoleTls}); null: plain HTTP
     */
    public record Settings(String product, String bind, int port, Path stateDir, String page, SSLContext tls) {
        /** Over plain HTTP. */
        public Settings(String product, String bind, int port, Path stateDir, String page) {
            this(product, bind, port, stateDir, page, null);
        }
    }

    /** What the product's routes get: where to add them, the audit log, live updates, who is signed in. */
    public record Api(RoutesConfig routes, AuditLog audit, LiveUpdates live, ObjectMapper json) {
        /** The signed-in user's session (every {@code /api/} route has one). */
        public ConsoleSession session(Context ctx) {
            return ctx.attribute(SESSION_ATTRIBUTE);
        }

        /** Records a change made by the signed-in user. */
        public void audit(Context ctx, String action, String target, String outcome) {
            audit.record(session(ctx).user(), action, target, outcome);
        }
    }

    private final Javalin app;
    private final LiveUpdates live;
    private final AuditLog audit;
    private final boolean https;

    private ConsoleServer(Javalin app, LiveUpdates live, AuditLog audit, boolean https) {
        this.https = https;
        this.app = app;
        this.live = live;
        this.audit = audit;
    }

    public static ConsoleServer start(Settings s, Accounts accounts, Clock clock, Consumer<Api> product) throws IOException {
        SessionStore sessions = new SessionStore(clock);
        SignInThrottle throttle = new SignInThrottle(clock);
        AuditLog audit = new AuditLog(s.stateDir(), clock);
        LiveUpdates live = new LiveUpdates();
        ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        SignIn signIn = new SignIn(accounts, sessions, throttle, audit);
        Javalin app = Javalin.create(cfg -> {
            cfg.jetty.host = s.bind();
            cfg.jetty.port = s.port();
            QueuedThreadPool pool = new QueuedThreadPool(MAX_THREADS, 2);
            pool.setName("console");
            pool.setDaemon(true);
            cfg.jetty.threadPool = pool;
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jsonMapper(new JavalinJackson(json, false));
            cfg.http.maxRequestSize = 64L * 1024;
            if (s.tls() != null) {
                SslContextFactory.Server ssl = new SslContextFactory.Server();
                ssl.setSslContext(s.tls());
                // the only connector: HTTPS
                cfg.jetty.addConnector((server, http) -> {
                    http.addCustomizer(new SecureRequestCustomizer(false));
                    ServerConnector c = new ServerConnector(server, new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                            new HttpConnectionFactory(http));
                    c.setHost(s.bind());
                    c.setPort(s.port());
                    return c;
                });
            }
            RoutesConfig r = cfg.routes;
            r.before(ConsoleServer::securityHeaders);
            r.before("/api/*", ctx -> guard(ctx, sessions));
            r.get("/", ctx -> asset(ctx, s.page()));
            r.get("/assets/{name}", ctx -> asset(ctx, ctx.pathParam("name")));
            r.post("/api/session", signIn::signIn);
            r.get("/api/session", ctx -> {
                ConsoleSession cs = ctx.attribute(SESSION_ATTRIBUTE);
                ctx.json(Map.of("user", cs.user(), "role", cs.role(), "csrfToken", cs.csrfToken(), "product", s.product()));
            });
            r.delete("/api/session", signIn::signOut);
            r.sse("/api/events", live::add);
            product.accept(new Api(r, audit, live, json));
            r.exception(ConsoleException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage(), e.field()));
            r.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage(), null));
            // never echo the parser's message: it may quote the body, and a sign-in body holds a password
            r.exception(JacksonException.class, (e, ctx) -> error(ctx, 400, "malformed JSON body", null));
            r.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, FailureText.of(e), null));
            r.exception(Exception.class, (e, ctx) -> {
                LOG.log(System.Logger.Level.ERROR, "console: " + ctx.method() + " " + ctx.path() + " failed: " + FailureText.of(e), e);
                error(ctx, 500, "internal error: " + FailureText.of(e), null);
            });
        });
        try {
            app.start();
        } catch (RuntimeException e) {
            live.close();
            throw new IOException("the console did not start on " + s.bind() + ":" + s.port() + ": " + FailureText.of(e), e);
        }
        ConsoleServer server = new ConsoleServer(app, live, audit, s.tls() != null);
        if (s.tls() == null && !loopback(s.bind())) {
            LOG.log(System.Logger.Level.WARNING, s.product() + " console listens on " + s.bind() + " over plain HTTP: passwords and session"
                    + " cookies cross the network in clear; keep it on 127.0.0.1 or give it a certificate (console.certificate, console.privateKey)");
        }
        LOG.log(System.Logger.Level.INFO, s.product() + " console on " + server.url(s.bind())
                + (accounts.isEmpty() ? " (no account yet: create the first admin from the command line)" : ""));
        return server;
    }

    private static boolean loopback(String bind) {
        try {
            return java.net.InetAddress.getByName(bind).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static void securityHeaders(Context ctx) {
        // no inline script, nothing from elsewhere, never inside another site's frame
        ctx.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-store");
    }

    /** Authentication, the CSRF token and the role, for every {@code /api/} request but the sign-in itself. */
    private static void guard(Context ctx, SessionStore sessions) {
        boolean signingIn = ctx.path().equals("/api/session") && ctx.method().equals(HandlerType.POST);
        if (signingIn) return;
        ConsoleSession s = sessions.touch(ctx.cookie(COOKIE)).orElse(null);
        if (s == null) throw new ConsoleException(401, "not signed in (or the session expired): sign in again", null);
        ctx.attribute(SESSION_ATTRIBUTE, s);
        if (READS.contains(ctx.method())) return;
        if (!Secrets.matches(ctx.header(CSRF_HEADER), s.csrfToken())) {
            LOG.log(System.Logger.Level.WARNING, "console: refused " + ctx.method() + " " + ctx.path() + " by " + s.user() + " from " + ctx.ip()
                    + ": CSRF token missing or wrong");
            throw new ConsoleException(403, "missing or wrong CSRF token: reload the page", null);
        }
        boolean signingOut = ctx.path().equals("/api/session");
        if (!signingOut && !s.role().mayChange()) {
            throw new ConsoleException(403, "user " + s.user() + " is a viewer: viewers cannot change anything", null);
        }
    }

    static void error(Context ctx, int status, String message, String field) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message == null || message.isBlank() ? "HTTP " + status : message);
        if (field != null) body.put("field", field);
        ctx.status(status).json(body);
    }

    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "svg", "image/svg+xml", "png", "image/png");

    /** One file of {@code console-assets/} on the class path (this module's and the product's). */
    private static void asset(Context ctx, String name) throws IOException {
        if (!name.matches("[a-z0-9-]{1,64}\\.(html|js|css|svg|png)")) throw ConsoleException.notFound("no asset " + AuditLog.clean(name));
        try (InputStream in = ConsoleServer.class.getClassLoader().getResourceAsStream("console-assets/" + name)) {
            if (in == null) throw ConsoleException.notFound("no asset " + name);
            ctx.contentType(TYPES.get(name.substring(name.lastIndexOf('.') + 1)));
            ctx.result(in.readAllBytes());
        }
    }

    static void setCookie(Context ctx, String value, Duration maxAge) {
        Cookie c = new Cookie(COOKIE, value, "/", (int) maxAge.toSeconds(), "https".equals(ctx.scheme()), true, null, SameSite.STRICT);
        ctx.cookie(c);
    }

    public int port() { return app.port(); }

    public URI url(String bind) {
        String host = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind.contains(":") ? "[" + bind + "]" : bind;
        return URI.create((https ? "https" : "http") + "://" + host + ":" + app.port() + "/");
    }

    public LiveUpdates live() { return live; }

    public AuditLog audit() { return audit; }

    @Override public void close() {
        live.close();
        app.stop();
    }

}
