package org.dicomrelay.providers.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.dicomrelay.providers.emulators.NatsServer;
import org.dicomrelay.relay.cloud.Notifications;
import org.dicomrelay.relay.cloud.Notifications.Notification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * nats-server restarted while a router long-polls (JetStream keeps the stream on disk): jnats
 * reconnects on its own, the poll asks again for the pull request the old process held, and a
 * message published after the restart reaches the poll that was already waiting, long before that
 * poll's 20 s (without the new pull request it waited them out: checked).
 */
@Timeout(120)
class NatsReconnectTest {
    private NatsServer nats;

    @BeforeEach
    void start() throws Exception {
        Assumptions.assumeTrue(NatsServer.binary().isPresent(), NatsServer.ABSENT);
        nats = new NatsServer();
    }

    @AfterEach
    void stop() throws Exception {
        if (nats != null) nats.close();
    }

    @Test
    void aLongPollWaitingAcrossAServerRestartGetsTheNextMessage() throws Exception {
        Map<String, String> s = Map.of(NatsSettings.URL, nats.url().toString());
        try (Notifications b = new NatsProvider().notifications(s, "restart-b", null);
             Notifications a = new NatsProvider().notifications(s, "restart-a", null)) {
            b.poll(Duration.ZERO);
            a.publish("restart-b", "before".getBytes(StandardCharsets.UTF_8));
            List<Notification> first = b.poll(Duration.ofSeconds(20));
            assertThat(first).hasSize(1);
            b.ack(first);

            CompletableFuture<List<Notification>> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return b.poll(Duration.ofSeconds(20));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            nats.restart();
            long published = System.nanoTime();
            await("publish after the restart").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> {
                        a.publish("restart-b", "after".getBytes(StandardCharsets.UTF_8));
                        return true;
                    });
            List<Notification> got = waiting.get(15, TimeUnit.SECONDS);
            assertThat(got).extracting(n -> new String(n.payload(), StandardCharsets.UTF_8)).containsExactly("after");
            assertThat(Duration.ofNanos(System.nanoTime() - published)).isLessThan(Duration.ofSeconds(10));
            b.ack(got);
        }
    }
}
