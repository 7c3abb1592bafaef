package org.dicomrelay.router.console;

import org.dicomrelay.console.Accounts;
import org.dicomrelay.console.ConsoleServer;
import org.dicomrelay.console.Role;
import org.dicomrelay.router.Router;
import org.dicomrelay.router.config.ConsoleListener;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.LocalHub;
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
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The router console's JSON API without a browser: errors name their cause, and a change that cannot be saved is undone. */
class RouterConsoleApiTest {
    @TempDir Path work;
    private Router router;
    private RouterConsole console;
    private final HttpClient http = HttpClient.newHttpClient();
    private String cookie, csrf;

    private void start(Path configFile) throws Exception {
        RouterConfig config = new RouterConfig("hospital-a", work.resolve("state").toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null,
                List.of(new Device("MODALITY", "127.0.0.1", 1, List.of(), List.of(), false)));
        if (configFile != null && !Files.isDirectory(configFile)) config.save(configFile);
        RoutingTable routes = new RoutingTable();
        routes.replace(List.of(new RoutingTable.Route("PACS_B", "hospital-b", Set.of("store", "find"))));
        router = Router.start(config, new LocalHub().courier("hospital-a"), routes);
        Accounts.in(config.state()).create("admin", Role.ADMIN, "admin-password".toCharArray());
        console = RouterConsole.start(new ConsoleListener("127.0.0.1", 0), config, configFile, router, routes,
                () -> BridgeStatus.of("http://127.0.0.1:1", false, null, null, "none"));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(console.url().resolve("/api/session")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"admin\",\"password\":\"admin-password\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        String c = r.headers().firstValue("Set-Cookie").orElseThrow();
        cookie = c.substring(0, c.indexOf(';'));
        Matcher m = Pattern.compile("\"csrfToken\":\"([^\"]+)\"").matcher(r.body());
        assertThat(m.find()).isTrue();
        csrf = m.group(1);
    }

    @AfterEach void stop() throws Exception {
        if (console != null) console.close();
        if (router != null) router.close();
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(console.url().resolve(path)).header("Cookie", cookie).header(ConsoleServer.CSRF_HEADER, csrf)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A scraper and a probe need no account; what they see names AE titles and router ids, no patient data. */
    @Test void metricsAndHealthAreServedWithoutASession() throws Exception {
        start(null);
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(console.url().resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(metrics.body()).contains("# TYPE");
        HttpResponse<String> live = http.send(HttpRequest.newBuilder(console.url().resolve("/health/live")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).contains("UP");
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(console.url().resolve("/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        router.close();
        router = null;
        HttpResponse<String> closed = http.send(HttpRequest.newBuilder(console.url().resolve("/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(closed.statusCode()).as("a closed router is not ready").isEqualTo(503);
    }

    @Test void unknownThingsAndDuplicatesAreNamed() throws Exception {
        start(work.resolve("router.yaml"));
        assertThat(call("GET", "/api/remote-aes", null).body()).contains("\"aeTitle\":\"PACS_B\"", "\"routerId\":\"hospital-b\"");
        assertThat(call("GET", "/api/peers", null).body()).isEqualTo("[]");
        HttpResponse<String> peer = call("POST", "/api/peers/hospital-x/confirm", "{\"fingerprint\":\"abc\"}");
        assertThat(peer.statusCode()).isEqualTo(404);
        assertThat(peer.body()).contains("no pinned peer hospital-x");
        assertThat(call("POST", "/api/queue/shred", "{\"all\":true}").statusCode()).isEqualTo(404);
        assertThat(call("PUT", "/api/devices/NOPE", "{\"aeTitle\":\"NOPE\",\"host\":\"h\",\"port\":104}").statusCode()).isEqualTo(404);
        HttpResponse<String> dup = call("POST", "/api/devices", "{\"aeTitle\":\"MODALITY\",\"host\":\"127.0.0.1\",\"port\":104}");
        assertThat(dup.statusCode()).isEqualTo(400);
        assertThat(dup.body()).contains("\"field\":\"aeTitle\"", "exists already");
        assertThat(call("POST", "/api/devices", "{not json").statusCode()).isEqualTo(400);
    }

    @Test void aChangeThatCannotBeSavedIsUndone() throws Exception {
        Path notAFile = Files.createDirectories(work.resolve("router.yaml")); // the configuration cannot be written there
        start(notAFile);
        HttpResponse<String> r = call("POST", "/api/devices", "{\"aeTitle\":\"NEW_AE\",\"host\":\"127.0.0.1\",\"port\":104}");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("not saved to " + notAFile, "undone");
        assertThat(router.devices().all()).extracting(Device::aeTitle).containsExactly("MODALITY");
    }
}
