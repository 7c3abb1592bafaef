package org.dicomrelay.providers.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dicomrelay.providers.emulators.NatsServer;
import org.dicomrelay.relay.cloud.Notifications;
import org.dicomrelay.relay.cloud.Notifications.Notification;
import org.dicomrelay.testkit.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS to nats-server (--tls): trusted through nats.caFile the inbox works; a server the JVM's trust store does not know is refused clearly. */
class NatsTlsTest {
    @TempDir static Path dir;
    private static TestCertificates ca;
    private static NatsServer nats;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(NatsServer.binary().isPresent(), NatsServer.ABSENT);
        ca = TestCertificates.create(dir.resolve("pki"), "nats-test-ca");
        TestCertificates.Identity server = ca.issue("127.0.0.1", TestCertificates.KeyType.EC);
        nats = new NatsServer(null, null, server.certificate(), server.privateKey());
    }

    @AfterAll
    static void stop() throws Exception {
        if (nats != null) nats.close();
    }

    private static Map<String, String> settings() {
        Map<String, String> s = new HashMap<>();
        s.put(NatsSettings.URL, "tls://127.0.0.1:" + nats.port());
        s.put(NatsSettings.STREAM, "TLS_TEST");
        return s;
    }

    @Test
    void withTheCaFileTheInboxWorksOverTls() throws Exception {
        Map<String, String> s = settings();
        s.put(NatsSettings.CA_FILE, ca.caCertificate().toString());
        try (Notifications b = new NatsProvider().notifications(s, "tls-b", null);
             Notifications a = new NatsProvider().notifications(s, "tls-a", null)) {
            b.poll(Duration.ZERO);
            a.publish("tls-b", "over-tls".getBytes(StandardCharsets.UTF_8));
            List<Notification> got = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                got.addAll(b.poll(Duration.ofSeconds(1)));
                return !got.isEmpty();
            });
            assertThat(new String(got.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("over-tls");
            b.ack(got);
        }
    }

    @Test
    void aServerCertificateNobodyTrustsIsAClearIOException() throws Exception {
        try (Notifications b = new NatsProvider().notifications(settings(), "tls-c", null)) {
            assertThatThrownBy(() -> b.poll(Duration.ZERO)).isInstanceOf(IOException.class)
                    .satisfies(e -> assertThat(e.getMessage()).startsWith("cannot connect to NATS at [tls://127.0.0.1:" + nats.port() + "]")
                            .doesNotContain("null"));
        }
    }
}
