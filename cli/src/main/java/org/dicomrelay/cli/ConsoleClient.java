package org.dicomrelay.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * A command's session with a running console's HTTP API: signed in as a console user, with the
 * session cookie and CSRF token a browser would hold, so a command does exactly what the page does
 * (the same checks, the same audit record under the same user).
 */
final class ConsoleClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COOKIE = "console_session", CSRF_HEADER = "X-CSRF-Token";

    /** An API answer: the HTTP status and its JSON body (an error's text in {@code error}). */
    record Answer(int status, JsonNode body) {
        boolean ok() { return status / 100 == 2; }

        String error() {
            return body != null && body.hasNonNull("error") ? body.get("error").asText() : "HTTP " + status;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;
    private String cookie, csrf;

    private ConsoleClient(URI base) {
        this.base = base;
    }

    static ConsoleClient signIn(URI base, String user, char[] password) throws IOException {
        ConsoleClient c = new ConsoleClient(base);
        byte[] body = JSON.writeValueAsBytes(Map.of("user", user, "password", new String(password)));
        Answer a = c.send(HttpRequest.newBuilder(base.resolve("/api/session")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)), true);
        if (!a.ok()) throw new IOException("sign-in at " + base + " refused: " + a.error());
        c.csrf = a.body().get("csrfToken").asText();
        return c;
    }

    Answer call(String method, String path, Object body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Cookie", COOKIE + "=" + cookie).header(CSRF_HEADER, csrf)
                .timeout(Duration.ofMinutes(1));
        if (body == null) b.method(method, HttpRequest.BodyPublishers.noBody());
        else b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        return send(b, false);
    }

    private Answer send(HttpRequest.Builder b, boolean keepCookie) throws IOException {
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException e) {
            throw new IOException("the console at " + base + " is not reachable (is the router running with a console section?): "
                    + org.dicomrelay.dicom.net.FailureText.of(e), e);
        }
        if (keepCookie) {
            for (String c : r.headers().allValues("Set-Cookie")) {
                if (c.startsWith(COOKIE + "=")) cookie = c.substring(COOKIE.length() + 1, c.indexOf(';') < 0 ? c.length() : c.indexOf(';'));
            }
        }
        JsonNode body = r.body().isEmpty() ? null : JSON.readTree(r.body());
        return new Answer(r.statusCode(), body);
    }
}
