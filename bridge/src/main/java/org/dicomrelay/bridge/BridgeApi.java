package org.dicomrelay.bridge;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import java.math.BigDecimal;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.dicomrelay.relay.bridge.AeExport;
import org.dicomrelay.relay.bridge.AeRecord;
import org.dicomrelay.relay.bridge.ProviderAssignment;
import org.dicomrelay.relay.bridge.RouterRecord;
import org.dicomrelay.relay.bridge.SignedDirectory;
import org.dicomrelay.relay.bridge.api.AckAnswer;
import org.dicomrelay.relay.bridge.api.AckRequest;
import org.dicomrelay.relay.bridge.api.AesAnswer;
import org.dicomrelay.relay.bridge.api.DirectoryAnswer;
import org.dicomrelay.relay.bridge.api.DirectoryDocument;
import org.dicomrelay.relay.bridge.api.EnrollAnswer;
import org.dicomrelay.relay.bridge.api.EnrollRequest;
import org.dicomrelay.relay.bridge.api.InboxMessage;
import org.dicomrelay.relay.bridge.api.KeyRotationAnswer;
import org.dicomrelay.relay.bridge.api.KeyRotationRequest;
import org.dicomrelay.relay.bridge.api.ProviderAnswer;
import org.dicomrelay.relay.bridge.api.ProviderRequest;
import org.dicomrelay.relay.bridge.api.PublishAnswer;
import org.dicomrelay.relay.bridge.api.PublicKeysJson;
import org.dicomrelay.relay.crypto.KeyRotation;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.log.RepeatingLog;
import org.dicomrelay.relay.tls.CertificateFingerprint;

/**
 * The Bridge's HTTP API. Every handler that needs a caller authenticates it itself ({@link #admin}
 * and {@link #router} wrap the handler), so authentication follows the route and not a path prefix.
 * Nothing here logs a request body or header: tokens and API keys travel in them.
 */
final class BridgeApi {
    private static final System.Logger LOG = System.getLogger(BridgeApi.class.getName());
    private static final String ROUTER_ATTRIBUTE = "bridge.router";
    /** Where the servlet container puts the client's verified certificate chain (Jakarta Servlet 6, 3.10). */
    private static final String CLIENT_CERTIFICATES = "jakarta.servlet.request.X509Certificate";
    private static final Pattern PROVIDER_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    /** The most deliveries one request acknowledges: two full polls' worth. */
    static final int MAX_ACKS_PER_REQUEST = 2 * Inbox.BATCH;
    /** Answers a poll that carried acknowledgements: how many deleted a notification. */
    static final String ACKNOWLEDGED_HEADER = "Inbox-Acknowledged";
    /** A router's poller ID (a random UUID in our client); see {@link Inbox}. */
    private static final Pattern POLLER_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
    /** Setting names that suggest a credential: those stay on the router and never reach the Bridge. */
    private static final Pattern SECRET_SETTING = Pattern.compile(
            "(?i).*(secret|password|passwd|token|credential|private|api[_-]?key|account[_-]?key|connection[_-]?string|sas).*");
    /** Provider settings as stored (a JSON object of strings). */
    private static final TypeReference<Map<String, String>> STORED_SETTINGS = new TypeReference<>() {};
    static final int MAX_AES_PER_ROUTER = 256;
    static final int MAX_SETTINGS = 64;
    /** The longest an enrollment token may be valid: a forgotten token should not open the Bridge for long. */
    static final Duration MAX_TOKEN_TTL = Duration.ofDays(30);
    static final Duration AUTH_FAILURE_LOG_PERIOD = Duration.ofMinutes(1);

    private final BridgeConfig config;
    private final BridgeStore store;
    private final BridgeSigner signer;
    private final Inbox inbox;
    private final AccessApi access;
    private final Blobs blobs;
    private final Clock clock;
    private final ObjectMapper json;
    /** null: plain HTTP (loopback only), where no client certificate can be asked for. */
    private final TlsMaterial tls;
    private final EnrollmentTokens tokens;
    private final BridgeMetrics metrics;
    private final DirectoryChanges directoryChanges = new DirectoryChanges();
    private final RouterTraffic traffic = new RouterTraffic();
    /** Failed authentications, per peer address and credential kind: a client stuck in a loop is one line, then a count. */
    private final RepeatingLog authFailures = new RepeatingLog(LOG, AUTH_FAILURE_LOG_PERIOD);

    BridgeApi(BridgeConfig config, BridgeStore store, AccessStore access, BridgeSigner signer, Inbox inbox, Blobs blobs, Clock clock,
              ObjectMapper json, TlsMaterial tls, EnrollmentTokens tokens, BridgeMetrics metrics) {
        this.tokens = tokens;
        this.metrics = metrics;
        this.tls = tls;
        this.blobs = blobs;
        this.config = config;
        this.access = new AccessApi(access, signer, clock, json);
        this.store = store;
        this.signer = signer;
        this.inbox = inbox;
        this.clock = clock;
        this.json = json;
    }

    void configure(JavalinConfig cfg) {
        var r = cfg.routes;
        r.get("/health", this::ready);
        r.get("/health/live", ctx -> ctx.json(obj("status", "ok")));
        r.get("/health/ready", this::ready);
        r.get("/metrics", admin(this::metrics));

        adminRoutes(r, this::admin);

        r.post("/api/enroll", this::enroll);

        r.put("/api/router/aes", router(this::replaceAes));
        r.put("/api/router/keys", router(this::rotateKeys));
        r.get("/api/router/directory", router(this::directory));
        r.post("/api/router/inbox/{recipientRouterId}", router(this::publish));
        r.get("/api/router/inbox", router(this::poll));
        r.delete("/api/router/inbox/{id}", router(this::ack));
        r.post("/api/router/inbox-acks", router(this::ackAll));
        new BlobApi(blobs).configure(cfg, this::router, this::admin, BridgeApi::me);

        apiErrors(r);
        r.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
        // never echo the parser's message: it may quote the body, and bodies carry tokens
        r.exception(JacksonException.class, (e, ctx) -> error(ctx, 400, "malformed JSON body"));
        r.exception(Exception.class, (e, ctx) -> {
            LOG.log(System.Logger.Level.ERROR, ctx.method() + " " + ctx.path() + " failed", e);
            error(ctx, 500, "internal error");
        });
        cfg.requestLogger.http((ctx, ms) -> {
            if (mayChangeDirectory(ctx)) wakeDirectoryWaiters();
            countTraffic(ctx);
            metrics.request(ctx.method().name(), route(ctx), ctx.statusCode(), ms);
            LOG.log(System.Logger.Level.DEBUG, () -> ctx.method() + " " + ctx.path() + " -> " + ctx.statusCode() + " (" + Math.round(ms) + " ms)");
        });
    }

    /**
     * The administrator's routes, each wrapped by {@code guard}: here the admin token; on the web
     * console its session, CSRF token and role ({@link BridgeAdmin}). One implementation for the
     * CLI, the admin API and the console.
     */
    void adminRoutes(RoutesConfig r, UnaryOperator<Handler> guard) {
        r.post("/api/admin/enrollment-tokens", guard.apply(this::createEnrollmentToken));
        r.get("/api/admin/enrollment-tokens", guard.apply(this::listEnrollmentTokens));
        r.delete("/api/admin/enrollment-tokens/{id}", guard.apply(this::cancelEnrollmentToken));
        r.get("/api/admin/routers", guard.apply(this::listRouters));
        r.post("/api/admin/routers/{routerId}/revoke", guard.apply(this::revoke));
        r.put("/api/admin/routers/{routerId}/provider", guard.apply(this::assignProvider));
        access.configure(r, guard);
    }

    /** An {@link ApiException} as its status and {@code {"error": ...}} (plus its details). */
    static void apiErrors(RoutesConfig r) {
        r.exception(ApiException.class, (e, ctx) -> {
            if (e.details == null) {
                error(ctx, e.status, e.getMessage());
            } else {
                Map<String, Object> body = obj("error", e.getMessage());
                body.putAll(e.details);
                ctx.status(e.status).json(body);
            }
        });
    }

    /** Routers waiting for a directory change learn it now (a change made through the console's listener). */
    void directoryChanged() {
        wakeDirectoryWaiters();
    }

    RouterTraffic.Snapshot traffic() {
        return traffic.snapshot(clock.millis());
    }

    /** A router's call: it was seen now; a notification published or a blob part stored counts for its link. */
    private void countTraffic(Context ctx) {
        String me = me(ctx);
        if (me == null) return;
        traffic.seen(me, clock.millis());
        traffic.version(me, org.dicomrelay.relay.ProductVersion.ofUserAgent(ctx.header("User-Agent")));
        if (ctx.statusCode() / 100 != 2) return;
        String route = route(ctx);
        if (ctx.method() == io.javalin.http.HandlerType.POST && route.equals("/api/router/inbox/{recipientRouterId}")) {
            traffic.notification(me, ctx.pathParam("recipientRouterId"));
        } else if (ctx.method() == io.javalin.http.HandlerType.PUT && route.equals("/api/router/blobs/{name}/parts/{index}")) {
            traffic.blobBytes(me, ctx.queryParam("to"), ctx.req().getContentLengthLong());
        }
    }

    /** Answers the held directory requests (the Bridge stops). */
    void close() {
        directoryChanges.close();
    }

    int directoryWaiters() {
        return directoryChanges.waiting();
    }

    // --- authentication ---

    private Handler admin(Handler h) {
        return ctx -> {
            String token = bearer(ctx);
            if (!Secrets.matches(token, config.adminToken())) {
                authFailed(ctx, "admin token", token == null ? "none given" : "not the admin token");
                ctx.header("WWW-Authenticate", "Bearer");
                throw ApiException.unauthorized("admin token required");
            }
            h.handle(ctx);
        };
    }

    private Handler router(Handler h) {
        return ctx -> {
            String key = bearer(ctx);
            if (key == null) {
                authFailed(ctx, "router API key", "none given");
                ctx.header("WWW-Authenticate", "Bearer");
                throw ApiException.unauthorized("API key required");
            }
            Optional<BridgeStore.RouterAuth> auth = store.routerByApiKeyHash(Secrets.sha256Hex(key));
            if (auth.isEmpty()) {
                authFailed(ctx, "router API key", "unknown API key");
                throw ApiException.unauthorized("unknown API key");
            }
            if (auth.get().revoked()) {
                authFailed(ctx, "router API key", "API key of router " + auth.get().routerId() + ", which is revoked");
                throw ApiException.unauthorized("router revoked");
            }
            if (tls != null) requireClientCertificate(ctx, auth.get());
            ctx.attribute(ROUTER_ATTRIBUTE, auth.get().routerId());
            h.handle(ctx);
        };
    }

    /**
     * Over HTTPS a router call needs two factors: the API key and the TLS client certificate this
     * Bridge issued to the same router at its latest enrollment (the handshake proved the key; the
     * database says whose it is). An eavesdropper's copy of the API key is useless without the key.
     */
    private void requireClientCertificate(Context ctx, BridgeStore.RouterAuth auth) {
        Object chain = ctx.req().getAttribute(CLIENT_CERTIFICATES);
        X509Certificate presented = chain instanceof X509Certificate[] c && c.length > 0 ? c[0] : null;
        if (presented == null) {
            authFailed(ctx, "router client certificate", "none presented", " (API key of router " + auth.routerId() + ")");
            throw ApiException.unauthorized("client certificate required");
        }
        String sha256 = CertificateFingerprint.of(presented).replace(":", "").toLowerCase(java.util.Locale.ROOT);
        if (auth.clientCertSha256() == null || !Secrets.matches(sha256, auth.clientCertSha256())) {
            authFailed(ctx, "router client certificate", "not the certificate issued to the API key's router",
                    " (certificate " + presented.getSubjectX500Principal().getName() + ", API key of router " + auth.routerId() + ")");
            throw ApiException.unauthorized("client certificate is not this router's");
        }
    }

    /**
     * Logs a refused credential with the peer's address and the kind of credential, never the
     * credential itself (nor a header or body that carries it).
     */
    private void authFailed(Context ctx, String kind, String reason) {
        authFailed(ctx, kind, reason, "");
    }

    /** As above; {@code detail} (e.g. the router ID a request names) is logged but does not tell conditions apart. */
    private void authFailed(Context ctx, String kind, String reason, String detail) {
        metrics.authFailed(kind);
        String address = ctx.req().getRemoteAddr();
        authFailures.occurred(address + " " + kind + " " + reason, System.Logger.Level.WARNING, "failed authentication from " + address
                + " (" + kind + "): " + reason + detail + "; " + ctx.method() + " " + ctx.path());
    }

    private static String bearer(Context ctx) {
        String h = ctx.header("Authorization");
        if (h == null || h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
        String token = h.substring(7).strip();
        return token.isEmpty() ? null : token;
    }

    static String me(Context ctx) {
        return ctx.attribute(ROUTER_ATTRIBUTE);
    }

    /**
     * A successful change by an administrator, an enrollment, or a router's AE titles or keys: the
     * calls that can change the directory (checked after the answer, so after the commit).
     */
    private static boolean mayChangeDirectory(Context ctx) {
        if (ctx.statusCode() / 100 != 2 || ctx.method() == io.javalin.http.HandlerType.GET) return false;
        String p = ctx.path();
        return p.startsWith("/api/admin/") || p.equals("/api/enroll") || p.equals("/api/router/aes") || p.equals("/api/router/keys");
    }

    private void wakeDirectoryWaiters() {
        if (directoryChanges.waiting() == 0) return;
        try {
            directoryChanges.changed(store.directoryVersion());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "directory version unreadable, routers waiting for a change learn it at their next poll: "
                    + org.dicomrelay.dicom.net.FailureText.of(e));
        }
    }

    /** The route's pattern (IDs stay out of metric labels), or {@link BridgeMetrics#UNMATCHED}. */
    private static String route(Context ctx) {
        try {
            var e = ctx.endpoints().matchedHttpEndpoint();
            return e == null ? BridgeMetrics.UNMATCHED : e.path;
        } catch (RuntimeException none) {
            return BridgeMetrics.UNMATCHED;
        }
    }

    // --- public ---

    /** Ready: the database answers (also the plain {@code /health} of earlier versions). Live is only "the server answers". */
    private void ready(Context ctx) {
        try {
            store.directory();
            ctx.json(obj("status", "ok"));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "health check: database unavailable: " + org.dicomrelay.dicom.net.FailureText.of(e));
            error(ctx, 503, "database unavailable");
        }
    }

    private void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }

    private void enroll(Context ctx) throws Exception {
        EnrollRequest b = RequestBodies.read(ctx, EnrollRequest.class, "an object {token, routerId, publicKeys, clientPublicKey}");
        String token = RequestBodies.text(b.token(), "token");
        String routerId = routerId(RequestBodies.text(b.routerId(), "routerId"));
        RouterRecord record = publicKeys(routerId, b.publicKeys());
        X509Certificate clientCertificate = clientCertificate(b, routerId);
        String apiKey = Secrets.newSecret(Secrets.API_KEY_PREFIX);
        String certSha256 = clientCertificate == null ? null
                : CertificateFingerprint.of(clientCertificate).replace(":", "").toLowerCase(java.util.Locale.ROOT);
        try {
            store.enroll(Secrets.sha256Hex(token), record, Secrets.sha256Hex(apiKey), certSha256, clock.millis());
        } catch (ApiException e) {
            if (e.status == 401 || e.status == 409) authFailed(ctx, "enrollment token", e.getMessage(), " (router " + routerId + ")");
            throw e;
        }
        metrics.enrolled();
        LOG.log(System.Logger.Level.INFO, "router " + routerId + " enrolled");
        ctx.status(201).json(new EnrollAnswer(routerId, apiKey, b64(signer.publicKeyset()),
                clientCertificate == null ? null : b64(clientCertificate.getEncoded())));
    }

    /**
     * The TLS client certificate for the key the router sent ({@code clientPublicKey}, SPKI base64);
     * required over HTTPS (without it the router could not call its routes), optional on plain HTTP.
     */
    private X509Certificate clientCertificate(EnrollRequest b, String routerId) throws GeneralSecurityException {
        if (b.clientPublicKey() == null) {
            if (tls != null) throw ApiException.badRequest("clientPublicKey is missing: this Bridge authenticates routers with TLS client certificates");
            return null;
        }
        if (tls == null) return null; // plain HTTP: a certificate could never be presented
        try {
            return tls.issueClientCertificate(routerId, RequestBodies.base64(b.clientPublicKey(), "clientPublicKey"), clock.instant());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    // --- administration ---

    private void createEnrollmentToken(Context ctx) throws Exception {
        JsonNode b = body(ctx);
        String routerId = routerId(text(b, "routerId"));
        String displayName = b.hasNonNull("displayName") ? b.get("displayName").asText().strip() : routerId;
        if (displayName.isEmpty() || displayName.length() > 200 || displayName.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("displayName must be 1-200 characters without control characters");
        }
        String label = b.hasNonNull("label") ? b.get("label").asText().strip() : null;
        if (label != null && (label.isEmpty() || label.length() > 200 || label.chars().anyMatch(Character::isISOControl))) {
            throw ApiException.badRequest("label must be 1-200 characters without control characters");
        }
        Duration ttl = config.enrollmentTokenTtl();
        if (b.hasNonNull("ttlSeconds")) {
            JsonNode t = b.get("ttlSeconds");
            if (!t.canConvertToLong() || !t.isIntegralNumber() || t.asLong() < 60 || t.asLong() > MAX_TOKEN_TTL.toSeconds()) {
                throw ApiException.badRequest("ttlSeconds must be a whole number from 60 to " + MAX_TOKEN_TTL.toSeconds() + " (30 days)");
            }
            ttl = Duration.ofSeconds(t.asLong());
        }
        String token = Secrets.newSecret(Secrets.ENROLLMENT_TOKEN_PREFIX);
        String hash = Secrets.sha256Hex(token);
        long now = clock.millis();
        long expiresAt = now + ttl.toMillis();
        store.addEnrollmentToken(hash, routerId, displayName, label, now, expiresAt);
        String id = EnrollmentTokens.idOf(hash);
        LOG.log(System.Logger.Level.INFO, "issued enrollment token " + id + " for router " + routerId + ", valid until " + Instant.ofEpochMilli(expiresAt));
        ctx.status(201).json(obj("id", id, "routerId", routerId, "token", token, "expiresAt", iso(expiresAt)));
    }

    /** Tokens not used, cancelled or expired: never the token itself (only its hash is stored). */
    private void listEnrollmentTokens(Context ctx) throws Exception {
        List<Object> out = new ArrayList<>();
        for (EnrollmentTokens.Unused t : tokens.unused(clock.millis())) {
            out.add(obj("id", t.id(), "routerId", t.routerId(), "displayName", t.displayName(), "label", t.label(),
                    "createdAt", iso(t.createdAt()), "expiresAt", iso(t.expiresAt())));
        }
        ctx.json(obj("tokens", out));
    }

    private void cancelEnrollmentToken(Context ctx) throws Exception {
        String id = ctx.pathParam("id");
        if (!EnrollmentTokens.ID.matcher(id).matches()) throw ApiException.notFound("no enrollment token " + id);
        String routerId = tokens.cancel(id, clock.millis());
        LOG.log(System.Logger.Level.INFO, "enrollment token " + id + " for router " + routerId + " cancelled");
        ctx.json(obj("id", id, "routerId", routerId, "status", "cancelled"));
    }

    private void listRouters(Context ctx) throws Exception {
        Map<String, List<BridgeStore.AeRow>> aes = store.aesByRouter();
        List<Object> out = new ArrayList<>();
        for (BridgeStore.RouterRow r : store.routers()) {
            List<Object> exported = new ArrayList<>();
            for (BridgeStore.AeRow ae : aes.getOrDefault(r.routerId(), List.of())) {
                exported.add(obj("aeTitle", ae.aeTitle(), "services", ae.services()));
            }
            out.add(obj("routerId", r.routerId(),
                    "displayName", r.displayName(),
                    "status", r.revokedAt() == null ? "active" : "revoked",
                    "enrolledAt", iso(r.enrolledAt()),
                    "revokedAt", r.revokedAt() == null ? null : iso(r.revokedAt()),
                    "provider", r.providerName(),
                    "providerSettings", r.providerSettings() == null ? Map.of() : json.readTree(r.providerSettings()),
                    "aes", exported));
        }
        ctx.json(obj("routers", out));
    }

    private void revoke(Context ctx) throws Exception {
        String routerId = pathRouterId(ctx, "routerId");
        long at = store.revoke(routerId, clock.millis());
        inbox.revoked(routerId);
        blobs.revoked(routerId);
        LOG.log(System.Logger.Level.INFO, "router " + routerId + " revoked");
        ctx.json(obj("routerId", routerId, "status", "revoked", "revokedAt", iso(at)));
    }

    private void assignProvider(Context ctx) throws Exception {
        String routerId = pathRouterId(ctx, "routerId");
        ProviderRequest b = RequestBodies.read(ctx, ProviderRequest.class, "an object {name, settings}");
        String name = RequestBodies.text(b.name(), "name");
        if (!PROVIDER_NAME.matcher(name).matches()) throw ApiException.badRequest("provider name must match " + PROVIDER_NAME.pattern());
        Map<String, String> settings = settings(b.settings());
        store.setProvider(routerId, name, json.writeValueAsString(settings));
        LOG.log(System.Logger.Level.INFO, "router " + routerId + " uses Cloud IO provider " + name);
        ctx.json(new ProviderAnswer(routerId, name, settings));
    }

    private static Map<String, String> settings(Map<String, Object> s) {
        Map<String, String> out = new LinkedHashMap<>();
        if (s == null) return out;
        if (s.size() > MAX_SETTINGS) throw ApiException.badRequest("at most " + MAX_SETTINGS + " settings");
        for (Map.Entry<String, Object> e : s.entrySet()) {
            String key = e.getKey();
            Object v = e.getValue();
            if (key.isEmpty() || key.length() > 128) throw ApiException.badRequest("setting names must be 1-128 characters");
            if (SECRET_SETTING.matcher(key).matches()) {
                throw ApiException.badRequest("setting '" + key + "' looks like a credential: credentials stay in the router's own configuration");
            }
            if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
                throw ApiException.badRequest("setting '" + key + "' must be a string, number or boolean");
            }
            String value = v.toString();
            if (value.length() > 4096) throw ApiException.badRequest("setting '" + key + "' is longer than 4096 characters");
            out.put(key, value);
        }
        return out;
    }

    // --- router ---

    private void replaceAes(Context ctx) throws Exception {
        String me = me(ctx);
        List<AeExport> exports = RequestBodies.readList(ctx, AeExport.class, "an array of {aeTitle, services}");
        if (exports.size() > MAX_AES_PER_ROUTER) throw ApiException.badRequest("at most " + MAX_AES_PER_ROUTER + " AE titles per router");
        List<AeRecord> aes = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (AeExport e : exports) {
            if (!seen.add(e.aeTitle())) throw ApiException.badRequest("AE title " + e.aeTitle() + " is listed twice");
            aes.add(new AeRecord(e.aeTitle(), me, e.services()));
        }
        store.replaceAes(me, aes, clock.millis());
        LOG.log(System.Logger.Level.INFO, "router " + me + " exports " + aes.size() + " AE title(s)");
        ctx.json(new AesAnswer(exports));
    }

    private void directory(Context ctx) throws Exception {
        String after = ctx.queryParam("after");
        if (after == null) {
            answerDirectory(ctx);
            return;
        }
        long known;
        try {
            known = Long.parseLong(after);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("after must be a directory version (a whole number)");
        }
        long waitMillis = waitMillis(ctx);
        // registered before the version is read: a change committed in between still wakes this waiter
        CompletableFuture<Void> change = directoryChanges.next(known, waitMillis);
        if (store.directoryVersion() != known) change.complete(null);
        // answered on the thread that completes it: the waker's, or the closing Bridge's before its server stops (an answer
        // written after the stop would meet a recycled request)
        ctx.future(() -> change.thenRun(() -> {
            try {
                answerDirectory(ctx);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.ERROR, "directory for router " + me(ctx) + " failed: " + org.dicomrelay.dicom.net.FailureText.of(e), e);
                error(ctx, 500, "internal error");
            }
        }));
    }

    /**
     * The directory as one document signed as a whole ({@link SignedDirectory}): version, issue
     * time and expiry, routers with their key history and provider assignment, AE titles. Signed
     * afresh on each request (Ed25519 is cheap), so {@code issuedAt} is always now. With
     * {@code after=V} (and {@code waitSeconds}), held until the version is not V any more or the wait is over.
     */
    private void answerDirectory(Context ctx) throws Exception {
        BridgeStore.DirectorySnapshot d = store.directory();
        long now = clock.millis();
        List<DirectoryDocument.Router> routers = new ArrayList<>();
        for (BridgeStore.RouterRow r : d.routers()) {
            List<DirectoryDocument.KeyStep> history = new ArrayList<>();
            List<BridgeStore.KeyRow> rows = d.keyHistory().getOrDefault(r.routerId(), List.of());
            // the newest links only: a peer that missed more rotations asks its operator
            for (BridgeStore.KeyRow k : rows.subList(Math.max(0, rows.size() - KeyRotation.MAX_CHAIN - 1), rows.size())) {
                history.add(new DirectoryDocument.KeyStep(k.hpkePublicKey(), k.signaturePublicKey(), k.proof()));
            }
            ProviderAssignment provider = r.providerName() == null ? null
                    : new ProviderAssignment(r.providerName(), r.providerSettings() == null ? Map.of()
                            : json.readValue(r.providerSettings(), STORED_SETTINGS));
            routers.add(new DirectoryDocument.Router(r.routerId(), new PublicKeysJson(r.hpkePublicKey(), r.signaturePublicKey()), history,
                    provider));
        }
        List<DirectoryDocument.Ae> aes = new ArrayList<>();
        for (BridgeStore.AeRow a : d.aes()) aes.add(new DirectoryDocument.Ae(a.aeTitle(), a.routerId(), a.services()));
        byte[] document = json.writeValueAsBytes(new DirectoryDocument(SignedDirectory.FORMAT, d.version(),
                iso(now), iso(now + config.directoryValidity().toMillis()), routers, aes, access.directoryPart(me(ctx))));
        ctx.json(new DirectoryAnswer(b64(document), b64(signer.sign(SignedDirectory.signedBytes(document)))));
    }

    /**
     * A router replaces its keys: the proof must be the signature of its current keys over the new
     * ones ({@link KeyRotation}), so a stolen API key alone cannot substitute keys. A repeat of the
     * rotation that was accepted is answered 200 again (the router retries after a crash).
     */
    private void rotateKeys(Context ctx) throws Exception {
        String me = me(ctx);
        KeyRotationRequest b = RequestBodies.read(ctx, KeyRotationRequest.class, "an object {publicKeys, proof}");
        RouterRecord next = publicKeys(me, b.publicKeys());
        byte[] proof = RequestBodies.base64(b.proof(), "proof");
        RouterRecord current = store.activeKeys(me);
        if (!current.equals(next)) {
            try {
                KeyRotation.verify(asPublicKeys(current), asPublicKeys(next), proof);
            } catch (GeneralSecurityException e) {
                LOG.log(System.Logger.Level.WARNING, "router " + me + ": key rotation refused, the proof is not signed by its current keys");
                throw ApiException.badRequest("the rotation proof is not signed by this router's current signature key");
            }
        }
        if (store.rotateKeys(current, next, b64(proof), clock.millis())) {
            LOG.log(System.Logger.Level.INFO, "router " + me + " rotated its keys, new fingerprint " + asPublicKeys(next).fingerprint());
        }
        ctx.json(new KeyRotationAnswer(me, asPublicKeys(next).fingerprint()));
    }

    /** Public keys of the exact shapes routers use ({@link PublicKeys}); 400 otherwise. */
    private static RouterRecord publicKeys(String routerId, PublicKeysJson keys) {
        if (keys == null) throw ApiException.badRequest("publicKeys {hpke, signature} is missing");
        try {
            PublicKeys pk = new PublicKeys(routerId, RequestBodies.base64(keys.hpke(), "hpke"), RequestBodies.base64(keys.signature(), "signature"));
            return new RouterRecord(routerId, pk.hpkePublicKeyset(), pk.signaturePublicKeyset());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private static PublicKeys asPublicKeys(RouterRecord r) {
        return new PublicKeys(r.routerId(), r.hpkePublicKey(), r.signaturePublicKey());
    }

    private void publish(Context ctx) throws Exception {
        String recipient = ctx.pathParam("recipientRouterId");
        if (!RouterRecord.ROUTER_ID.matcher(recipient).matches()) throw ApiException.notFound("no router " + recipient);
        int max = config.maxPayloadBytes();
        if (ctx.contentLength() > max) throw new ApiException(413, "notification larger than " + max + " bytes");
        byte[] payload = ctx.bodyAsBytes();
        if (payload.length > max) throw new ApiException(413, "notification larger than " + max + " bytes");
        if (payload.length == 0) throw ApiException.badRequest("empty notification");
        String id = store.enqueue(recipient, me(ctx), b64(payload), clock.millis(), config.maxInboxMessages(),
                config.inboxPerSender());
        inbox.published(recipient);
        ctx.status(201).json(new PublishAnswer(id));
    }

    private void poll(Context ctx) {
        long waitMillis = waitMillis(ctx);
        String poller = ctx.queryParam("poller");
        if (poller != null && !POLLER_ID.matcher(poller).matches()) throw ApiException.badRequest("poller must be 1 to 64 letters, digits or '-'");
        acknowledgeWithPoll(ctx);
        CompletableFuture<List<InboxMessage>> f = inbox.poll(me(ctx), poller, waitMillis);
        ctx.future(() -> f.handle((messages, failure) -> {
            if (failure == null) {
                ctx.json(messages);
            } else {
                Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                if (t instanceof ApiException e) {
                    error(ctx, e.status, e.getMessage());
                } else {
                    LOG.log(System.Logger.Level.ERROR, "inbox poll failed", t);
                    error(ctx, 500, "internal error");
                }
            }
            return null;
        }));
    }

    /**
     * A poll may carry the acknowledgements of what the previous poll brought ({@code ack}: delivery
     * IDs separated by commas, at most {@link #MAX_ACKS_PER_REQUEST}), which saves a request per
     * poll; done before the poll, with the rule of the single DELETE. The answer's
     * {@link #ACKNOWLEDGED_HEADER} tells the client they were taken (a Bridge without it ignores the parameter).
     */
    private void acknowledgeWithPoll(Context ctx) {
        String acks = ctx.queryParam("ack");
        if (acks == null) return;
        List<InboxDeliveryId> ids = new ArrayList<>();
        for (String id : acks.split(",", -1)) {
            if (ids.size() == MAX_ACKS_PER_REQUEST) throw ApiException.badRequest("at most " + MAX_ACKS_PER_REQUEST + " IDs per request");
            ids.add(InboxDeliveryId.parse(id).orElseThrow(() -> ApiException.badRequest("'ack' must be delivery IDs separated by commas")));
        }
        List<InboxDeliveryId> missed = store.ack(me(ctx), ids);
        ctx.header(ACKNOWLEDGED_HEADER, Integer.toString(ids.size() - missed.size()));
    }

    /** {@code waitSeconds} of a long poll, at most notificationWait; 0 when not given. */
    private long waitMillis(Context ctx) {
        String w = ctx.queryParam("waitSeconds");
        if (w == null) return 0;
        BigDecimal seconds;
        try {
            seconds = new BigDecimal(w);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("waitSeconds must be a number");
        }
        if (seconds.signum() < 0) throw ApiException.badRequest("waitSeconds must not be negative");
        long max = config.notificationWait().toMillis();
        return seconds.compareTo(BigDecimal.valueOf(max, 3)) > 0 ? max : seconds.movePointRight(3).longValue();
    }

    private void ack(Context ctx) throws Exception {
        String id = ctx.pathParam("id");
        Optional<InboxDeliveryId> delivery = InboxDeliveryId.parse(id);
        if (delivery.isEmpty() || !store.ack(me(ctx), delivery.get())) {
            throw ApiException.notFound("no notification " + id + " in this router's inbox");
        }
        ctx.status(204);
    }

    /**
     * Acknowledges several deliveries in one request: body {@code {"ids": [...]}}, at most
     * {@link #MAX_ACKS_PER_REQUEST}; answers 200 {@code {"notAcknowledged": [...]}}, the IDs that
     * deleted nothing (gone, or delivered again since: a late ack, as a 404 of the single DELETE).
     */
    private void ackAll(Context ctx) throws Exception {
        List<String> ids = RequestBodies.read(ctx, AckRequest.class, "an object {ids}").ids();
        if (ids == null) throw ApiException.badRequest("'ids' (an array of delivery IDs) is missing");
        if (ids.size() > MAX_ACKS_PER_REQUEST) throw ApiException.badRequest("at most " + MAX_ACKS_PER_REQUEST + " IDs per request");
        List<InboxDeliveryId> valid = new ArrayList<>(ids.size());
        List<String> notAcknowledged = new ArrayList<>();
        for (String id : ids) {
            if (id == null) throw ApiException.badRequest("'ids' must hold strings");
            InboxDeliveryId.parse(id).ifPresentOrElse(valid::add, () -> notAcknowledged.add(id));
        }
        for (InboxDeliveryId missed : store.ack(me(ctx), valid)) notAcknowledged.add(missed.toString());
        ctx.json(new AckAnswer(notAcknowledged));
    }

    // --- helpers ---

    private JsonNode body(Context ctx) throws java.io.IOException {
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length == 0) throw ApiException.badRequest("request body is missing");
        return json.readTree(bytes);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) throw ApiException.badRequest("'" + field + "' (a string) is missing");
        return v.asText();
    }

    private static String routerId(String id) {
        if (!RouterRecord.ROUTER_ID.matcher(id).matches()) {
            throw ApiException.badRequest("router ID must be 1-64 characters of [A-Za-z0-9._-], starting with a letter or digit");
        }
        return id;
    }

    private static String pathRouterId(Context ctx, String param) {
        String id = ctx.pathParam(param);
        if (!RouterRecord.ROUTER_ID.matcher(id).matches()) throw ApiException.notFound("no router " + id);
        return id;
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).json(obj("error", message == null ? "error" : message));
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    private static String iso(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }

    /** A JSON object with keys in the given order; null values are kept. */
    static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
