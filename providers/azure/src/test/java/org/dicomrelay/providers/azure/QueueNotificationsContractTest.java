package org.dicomrelay.providers.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.azure.storage.queue.QueueServiceClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.dicomrelay.providers.emulators.AzuriteServer;
import org.dicomrelay.providers.tck.NotificationsContract;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.dicomrelay.relay.cloud.Notifications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Cloud IO notifications contract for provider "azure" with its Azure Queue inbox, against Azurite's queue service. */
class QueueNotificationsContractTest extends NotificationsContract {
    private static final Duration VISIBILITY = Duration.ofSeconds(2);
    private static AzuriteServer azurite;
    private static QueueServiceClient admin;
    private static final Set<String> queues = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void startAzurite() throws Exception {
        assumeTrue(AzuriteServer.unavailable().isEmpty(), () -> AzuriteServer.unavailable().orElse(""));
        azurite = new AzuriteServer();
        admin = AzureClients.queues(AzureSettings.of(azurite.settings("unused")));
    }

    @AfterAll
    static void stopAzurite() {
        try {
            for (String q : queues) admin.deleteQueue(q);
        } finally {
            if (azurite != null) azurite.close();
        }
    }

    private Map<String, String> settings() {
        Map<String, String> s = new HashMap<>(azurite.settings("unused"));
        s.put(AzureSettings.VISIBILITY_SECONDS, Long.toString(VISIBILITY.toSeconds()));
        return s;
    }

    private static String queueOf(String routerId) {
        return QueueNames.of("dicom-relay-", routerId);
    }

    @Override
    protected Notifications openInbox(String routerId) throws Exception {
        Notifications n = CloudProvider.named("azure").notifications(settings(), routerId, null);
        n.poll(Duration.ZERO); // creates its queue, as a router's first poll does
        queues.add(queueOf(routerId));
        return n;
    }

    /** A router prepares its inbox before it takes work: the first answer a peer sends it finds the queue, before any poll. */
    @Test
    void preparedInboxReceivesBeforeItsFirstPoll() throws Exception {
        String routerId = newRouterId();
        try (Notifications inbox = CloudProvider.named("azure").notifications(settings(), routerId, null);
             Notifications sender = CloudProvider.named("azure").notifications(settings(), newRouterId(), null)) {
            inbox.prepare();
            queues.add(queueOf(routerId));
            sender.publish(routerId, "first answer".getBytes(StandardCharsets.UTF_8));
            List<Notifications.Notification> got = inbox.poll(Duration.ofSeconds(5));
            assertThat(got).extracting(n -> new String(n.payload(), StandardCharsets.UTF_8)).containsExactly("first answer");
            inbox.ack(got);
        }
    }

    @Override
    protected Duration visibilityTimeout() {
        return VISIBILITY;
    }

    /** Azure's approximate count includes messages that are invisible. */
    @Override
    protected long messagesLeft(String routerId) {
        return admin.getQueueClient(queueOf(routerId)).getProperties().getApproximateMessagesCount();
    }

    @Override
    protected Notifications openUnreachableInbox(String routerId) throws Exception {
        Map<String, String> s = settings();
        s.put(AzureSettings.QUEUE_ENDPOINT, "http://127.0.0.1:1/" + AzuriteServer.ACCOUNT);
        return CloudProvider.named("azure").notifications(s, routerId, null);
    }
}
