package org.dicomrelay.console;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's guard over HTTP: sign-in, cookie attributes (RFC 6265bis SameSite), the CSRF
 * synchroniser token (OWASP CSRF Prevention), roles, lock-out, the audit trail.
 */
class ConsoleServerTest {
    @TempDir Path dir;
    private ConsoleServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private String base;

    @BeforeEach void start() throws Exception {
        Accounts accounts = Accounts.in(dir);
        accounts.create("admin", Role.ADMIN, "admin-password".toCharArray());
        accounts.create("viewer", Role.VIEWER, "viewer-password".toCharArray());
        server = ConsoleServer.start(new ConsoleServer.Settings("test", "127.0.0.1", 0, dir, "console.css"), accounts, Clock.systemUTC(), api -> {
            api.routes().get("/api/thing", ctx -> ctx.json(Map.of("thing", 1)));
            api.routes().post("/api/thing", ctx -> {
                api.audit(ctx, "thing.change", "thing 1", "ok");
                ctx.json(Map.of("changed", true));
            });
        });
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterEach void stop() {
        server.close();
    }

    private record Signed(String cookie, String csrf) {}

    private HttpResponse<String> signIn(String user, String password) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/api/session")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Signed signedIn(String user, String password) throws Exception {
        HttpResponse<String> r = signIn(user, password);
        assertThat(r.statusCode()).isEqualTo(200);
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        Matcher m = Pattern.compile("\"csrfToken\":\"([^\"]+)\"").matcher(r.body());
        assertThat(m.find()).isTrue();
        return new Signed(setCookie.substring(0, setCookie.indexOf(';')), m.group(1));
    }

    private HttpResponse<String> post(Signed s, String path, String csrf) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Cookie", s.cookie())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"));
        if (csrf != null) b.header(ConsoleServer.CSRF_HEADER, csrf);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String cookie, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (cookie != null) b.header("Cookie", cookie);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test void theApiNeedsASession() throws Exception {
        assertThat(get(null, "/api/thing").statusCode()).isEqualTo(401);
        assertThat(get("console_session=forged", "/api/thing").statusCode()).isEqualTo(401);
        assertThat(get(null, "/").statusCode()).isEqualTo(200); // the page itself is public: it shows the sign-in form
    }

    @Test void theSessionCookieIsHttpOnlyAndSameSiteStrict() throws Exception {
        HttpResponse<String> r = signIn("admin", "admin-password");
        String c = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(c).startsWith(ConsoleServer.COOKIE + "=").containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict")
                .doesNotContainIgnoringCase("Secure"); // plain HTTP here; over HTTPS it is Secure
        assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("default-src 'self'");
    }

    @Test void aWrongPasswordIsRefusedAndLocksAfterRepeatedFailures() throws Exception {
        assertThat(signIn("admin", "wrong").statusCode()).isEqualTo(401);
        assertThat(signIn("nobody", "wrong").statusCode()).isEqualTo(401);
        for (int i = 2; i < SignInThrottle.MAX_FAILURES; i++) assertThat(signIn("admin", "wrong").statusCode()).isEqualTo(401);
        HttpResponse<String> locked = signIn("admin", "admin-password"); // even the right password, while locked
        assertThat(locked.statusCode()).isEqualTo(429);
        assertThat(locked.headers().firstValue("Retry-After")).isPresent();
        assertThat(locked.body()).contains("too many failed sign-ins");
    }

    @Test void aSignInIsJsonOnly() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/session"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("user=admin&password=admin-password")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(415);
    }

    @Test void aChangeWithoutTheCsrfTokenIsRefused() throws Exception {
        Signed s = signedIn("admin", "admin-password");
        assertThat(post(s, "/api/thing", null).statusCode()).isEqualTo(403);
        assertThat(post(s, "/api/thing", "wrong-token").statusCode()).isEqualTo(403);
        assertThat(Files.exists(server.audit().file())).isTrue();
        assertThat(Files.readString(server.audit().file())).doesNotContain("thing.change");
        HttpResponse<String> ok = post(s, "/api/thing", s.csrf());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(Files.readString(server.audit().file())).contains("user=admin action=thing.change target=thing 1 outcome=ok");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.audit().file()))).isEqualTo("rw-------");
    }

    @Test void aViewerReadsButCannotChange() throws Exception {
        Signed v = signedIn("viewer", "viewer-password");
        assertThat(get(v.cookie(), "/api/thing").statusCode()).isEqualTo(200);
        HttpResponse<String> r = post(v, "/api/thing", v.csrf());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("viewer");
    }

    @Test void signOutEndsTheSession() throws Exception {
        Signed s = signedIn("admin", "admin-password");
        HttpResponse<String> out = http.send(HttpRequest.newBuilder(URI.create(base + "/api/session")).header("Cookie", s.cookie())
                .header(ConsoleServer.CSRF_HEADER, s.csrf()).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(out.statusCode()).isEqualTo(204);
        assertThat(get(s.cookie(), "/api/thing").statusCode()).isEqualTo(401);
    }

    /** Server-sent events (HTML Living Standard §9.2): a signed-in page hears what the product publishes. */
    @Test void liveUpdatesReachASignedInPage() throws Exception {
        assertThat(get(null, "/api/events").statusCode()).isEqualTo(401);
        Signed s = signedIn("viewer", "viewer-password");
        HttpResponse<java.util.stream.Stream<String>> events = http.send(HttpRequest.newBuilder(URI.create(base + "/api/events"))
                .header("Cookie", s.cookie()).header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(events.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        try (java.util.stream.Stream<String> lines = events.body()) {
            java.util.Iterator<String> it = lines.iterator();
            assertThat(it.next()).isEqualTo("event: hello");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> server.live().listeners() == 1);
            server.live().publish("devices", "{\"changed\":1}");
            String line;
            do {
                line = it.next();
            } while (!line.startsWith("event: devices"));
            assertThat(it.next()).isEqualTo("data: {\"changed\":1}");
        }
    }

    @Test void theAccountFileIsOwnerOnlyAndHoldsNoPassword() throws Exception {
        Path f = dir.resolve(Accounts.FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(Files.readString(f)).contains("$argon2id$").doesNotContain("admin-password");
        assertThat(Accounts.in(dir).authenticate("admin", "admin-password".toCharArray())).isPresent();
    }
}
