package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.dicomrelay.relay.bridge.AeExport;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Admin token, API keys, enrollment tokens and TLS private keys never reach a log line, stdout or stderr (over HTTPS). */
class SecretsInLogsTest {

    @TempDir
    Path dir;

    /** Everything logged through java.util.logging (where System.Logger and SLF4J end up), fully formatted. */
    private static final class Capture extends Handler {
        final StringBuilder text = new StringBuilder();
        final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public synchronized void publish(LogRecord r) {
            text.append(formatter.format(r));
            if (r.getThrown() != null) {
                StringWriter w = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(w));
                text.append(w);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    @Test
    void fullScenarioLeavesNoSecretInTheLogs() throws Exception {
        Capture capture = new Capture();
        capture.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        // keep references: loggers are weakly held and would lose their level
        List<Logger> verbose = new ArrayList<>();
        for (String name : new String[] {"org.dicomrelay", "io.javalin", "org.flywaydb"}) {
            Logger l = Logger.getLogger(name);
            l.setLevel(Level.ALL);
            verbose.add(l);
        }
        Level rootLevel = root.getLevel();
        root.setLevel(Level.INFO);
        root.addHandler(capture);
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream tee = new PrintStream(console, true, StandardCharsets.UTF_8);
        System.setOut(tee);
        System.setErr(tee);

        List<String> secrets = new ArrayList<>();
        try (TestBridge bridge = new TestBridge(dir, TestBridge.HTTPS)) {
            secrets.add(bridge.adminToken);
            String tokenA = bridge.enrollmentToken("a");
            secrets.add(tokenA);
            BridgeCredentials ca = BridgeClient.enroll(bridge.url(), bridge.fingerprint(), tokenA, TestBridge.randomKeys("a"));
            secrets.add(ca.apiKey());
            secrets.add(ca.clientKey());
            for (String key : new String[] {TlsMaterial.SERVER_KEY, TlsMaterial.CA_KEY}) {
                // every base64 line of the Bridge's private keys
                Files.readAllLines(dir.resolve(TlsMaterial.FOLDER).resolve(key)).stream().filter(l -> !l.startsWith("-----")).forEach(secrets::add);
            }
            // refused attempts: token reuse, a malformed body quoting a token, a router key on an admin route
            bridge.call("POST", "/api/enroll", null, "{\"token\":\"" + tokenA + "\",\"routerId\":\"a\",\"publicKeys\":{\"hpke\":\"AAAA\",\"signature\":\"AAAA\"}}");
            bridge.call("POST", "/api/enroll", null, "{\"token\":\"" + tokenA + "\", oops");
            bridge.call("GET", "/api/admin/routers", ca.apiKey(), null);
            String tokenB = bridge.enrollmentToken("b");
            secrets.add(tokenB);
            BridgeCredentials cb = BridgeClient.enroll(bridge.url(), bridge.fingerprint(), tokenB, TestBridge.randomKeys("b"));
            secrets.add(cb.apiKey());
            secrets.add(cb.clientKey());
            secrets.add(bridge.enrollmentToken("never-used"));

            BridgeClient a = bridge.client(ca);
            BridgeClient b = bridge.client(cb);
            a.publishAes(List.of(new AeExport("A_PACS", List.of("store"))));
            bridge.admin("PUT", "/api/admin/routers/a/provider", "{\"name\":\"filesystem\",\"settings\":{\"root\":\"/srv\"}}");
            b.directory();
            a.provider();
            a.publish("b", new byte[] {1});
            b.ack(b.poll(Duration.ofSeconds(5)).get(0).id());
            bridge.call("GET", "/api/router/inbox?waitSeconds=zzz", cb.apiKey(), null);
            bridge.admin("POST", "/api/admin/routers/a/revoke", null);
            bridge.call("GET", "/api/router/directory", ca.apiKey(), null);
            bridge.admin("GET", "/api/admin/routers", null);
            bridge.restart();
            bridge.client(cb).directory();
        } finally {
            System.setOut(out);
            System.setErr(err);
            root.removeHandler(capture);
            root.setLevel(rootLevel);
            for (Logger l : verbose) l.setLevel(null);
        }

        String logs = capture.text + console.toString(StandardCharsets.UTF_8);
        // the capture works: the scenario's events and the request log are there
        assertThat(logs).contains("router a enrolled", "router a revoked", "Bridge listening on https://", "GET /api/router/directory",
                "TLS certificate SHA-256 fingerprint");
        assertThat(logs).contains("adminToken=(hidden)");
        for (String secret : secrets) assertThat(logs).doesNotContain(secret);
        assertThat(logs).doesNotContain(Secrets.API_KEY_PREFIX).doesNotContain(Secrets.ENROLLMENT_TOKEN_PREFIX);
    }
}
