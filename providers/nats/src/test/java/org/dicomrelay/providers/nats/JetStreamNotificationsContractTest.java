package org.dicomrelay.providers.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.ConsumerInfo;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.dicomrelay.providers.emulators.NatsServer;
import org.dicomrelay.providers.tck.NotificationsContract;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.dicomrelay.relay.cloud.Notifications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Cloud IO notifications contract for provider "nats" against Debian's nats-server (JetStream,
 * 127.0.0.1, user and password required as a router would be configured). Afterwards every router
 * consumer is deleted and the stream is empty (asserted).
 */
class JetStreamNotificationsContractTest extends NotificationsContract {
    private static final Duration VISIBILITY = Duration.ofSeconds(2);
    static final String USER = "relay";
    static final String PASSWORD = "nats-secret-never-logged";
    private static NatsServer nats;
    private static Connection admin;
    private static final Set<String> routers = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void startNats() throws Exception {
        Assumptions.assumeTrue(NatsServer.binary().isPresent(), NatsServer.ABSENT);
        nats = new NatsServer(USER, PASSWORD);
        admin = Nats.connect(new Options.Builder().server(nats.url().toString()).userInfo(USER, PASSWORD).build());
    }

    @AfterAll
    static void stopNats() throws Exception {
        try {
            if (admin != null) {
                JetStreamManagement jsm = admin.jetStreamManagement();
                for (String r : routers) jsm.deleteConsumer(NatsSettings.DEFAULT_STREAM, "inbox-" + r);
                // nothing left behind: no consumer, no message
                assertThat(jsm.getConsumerNames(NatsSettings.DEFAULT_STREAM)).isEmpty();
                assertThat(jsm.getStreamInfo(NatsSettings.DEFAULT_STREAM).getStreamState().getMsgCount()).isZero();
                jsm.deleteStream(NatsSettings.DEFAULT_STREAM);
                admin.close();
            }
        } finally {
            if (nats != null) nats.close();
        }
    }

    static Map<String, String> settings(String url) {
        Map<String, String> s = new HashMap<>();
        s.put(NatsSettings.URL, url);
        s.put(NatsSettings.VISIBILITY_SECONDS, Long.toString(VISIBILITY.toSeconds()));
        s.put(NatsCredentials.USER, USER);
        s.put(NatsCredentials.PASSWORD, PASSWORD);
        return s;
    }

    @Override
    protected Notifications openInbox(String routerId) throws Exception {
        Notifications n = CloudProvider.named("nats").notifications(settings(nats.url().toString()), routerId, null);
        n.poll(Duration.ZERO); // creates the stream and its consumer, as a router's first poll does
        routers.add(routerId);
        return n;
    }

    /** A router prepares its inbox before it takes work: a peer's first answer finds its consumer, before any poll. */
    @org.junit.jupiter.api.Test
    void aPreparedInboxReceivesBeforeItsFirstPoll() throws Exception {
        String routerId = "prepared-" + System.nanoTime();
        try (Notifications inbox = CloudProvider.named("nats").notifications(settings(nats.url().toString()), routerId, null);
             Notifications sender = openInbox("sender-" + System.nanoTime())) {
            inbox.prepare();
            routers.add(routerId);
            sender.publish(routerId, "first answer".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            List<Notifications.Notification> got = inbox.poll(Duration.ofSeconds(5));
            org.assertj.core.api.Assertions.assertThat(got).extracting(n -> new String(n.payload(), java.nio.charset.StandardCharsets.UTF_8))
                    .containsExactly("first answer");
            inbox.ack(got);
        }
    }

    @Override
    protected Duration visibilityTimeout() {
        return VISIBILITY;
    }

    @Override
    protected long messagesLeft(String routerId) throws Exception {
        ConsumerInfo c = admin.jetStreamManagement().getConsumerInfo(NatsSettings.DEFAULT_STREAM, "inbox-" + routerId);
        return c.getNumPending() + c.getNumAckPending();
    }

    @Override
    protected Notifications openUnreachableInbox(String routerId) throws Exception {
        return CloudProvider.named("nats").notifications(settings("nats://127.0.0.1:1"), routerId, null);
    }
}
