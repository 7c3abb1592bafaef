package org.dicomrelay.providers.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.dicomrelay.relay.cloud.Notifications;
import org.dicomrelay.relay.cloud.Notifications.Notification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Notifications} contract (Cloud IO), written once: at-least-once delivery in receive
 * batches, redelivery after the visibility timeout, receipt handles (an ack of an earlier delivery
 * never removes a redelivered message), batched acknowledgement, and failures as IOExceptions.
 * Each test uses inboxes of its own (fresh router IDs) and asserts they are empty at its end.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
public abstract class NotificationsContract {
    private static final Duration POLL = Duration.ofSeconds(1);

    private final List<Notifications> opened = new ArrayList<>();
    protected String me;
    protected String peer;

    /** The inbox of {@code routerId} (created as the provider's setup would), with {@link #visibilityTimeout()}. */
    protected abstract Notifications openInbox(String routerId) throws Exception;

    /** How long a delivered, unacknowledged message stays invisible; short in tests (a few seconds). */
    protected abstract Duration visibilityTimeout();

    /** How many messages {@code routerId}'s inbox still holds, delivered or not. */
    protected abstract long messagesLeft(String routerId) throws Exception;

    /** An inbox whose service cannot be reached (a closed port on loopback). */
    protected abstract Notifications openUnreachableInbox(String routerId) throws Exception;

    /** Router IDs unique to one test, so that tests share nothing. */
    protected String newRouterId() {
        return "tck-" + UUID.randomUUID().toString().substring(0, 13);
    }

    @BeforeEach
    void routers() {
        me = newRouterId();
        peer = newRouterId();
    }

    @AfterEach
    void closeAll() throws IOException {
        for (Notifications n : opened) n.close();
    }

    private Notifications inbox(String routerId) throws Exception {
        Notifications n = openInbox(routerId);
        opened.add(n);
        return n;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Notification n) {
        return new String(n.payload(), StandardCharsets.UTF_8);
    }

    /** Polls until {@code count} distinct messages came (a message may come twice: at least once). */
    private static Map<String, Notification> receive(Notifications inbox, int count) {
        Map<String, Notification> got = new HashMap<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
            for (Notification n : inbox.poll(POLL)) got.put(text(n), n);
            return got.size() >= count;
        });
        return got;
    }

    @Test
    void publishedMessagesArriveInBatchesAndABatchedAckRemovesThem() throws Exception {
        Notifications mine = inbox(me);
        Notifications sender = inbox(peer);
        int count = 25;
        for (int i = 0; i < count; i++) sender.publish(me, bytes("message-" + i));
        int[] largestBatch = {0};
        Map<String, Notification> got = new HashMap<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
            List<Notification> batch = mine.poll(POLL);
            largestBatch[0] = Math.max(largestBatch[0], batch.size());
            for (Notification n : batch) got.put(text(n), n);
            return got.size() >= count;
        });
        assertThat(got.keySet()).hasSize(count).contains("message-0", "message-24");
        assertThat(largestBatch[0]).as("messages come in batches, not one per poll").isGreaterThan(1);
        mine.ack(List.copyOf(got.values()));
        assertThat(mine.poll(POLL)).as("acknowledged messages do not come back").isEmpty();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(messagesLeft(me)).isZero());
    }

    /** {@code poll(timeout, delivered)}: the deliveries are acknowledged (in the poll's own request where the service allows). */
    @Test
    void aPollAcknowledgesWhatItIsGiven() throws Exception {
        Notifications mine = inbox(me);
        inbox(peer).publish(me, bytes("ack-with-poll"));
        Notification n = receive(mine, 1).get("ack-with-poll");
        assertThat(mine.poll(POLL, List.of(n))).as("nothing else came").isEmpty();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(messagesLeft(me)).isZero());
    }

    @Test
    void aMessageGoesOnlyToItsRecipient() throws Exception {
        Notifications mine = inbox(me);
        Notifications other = inbox(peer);
        other.publish(me, bytes("for-me"));
        Notification n = receive(mine, 1).get("for-me");
        assertThat(other.poll(POLL)).as("the sender's own inbox").isEmpty();
        mine.ack(n);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(messagesLeft(me)).isZero());
    }

    @Test
    void anEmptyInboxAnswersEmptyWithinTheTimeout() throws Exception {
        Notifications mine = inbox(me);
        long start = System.nanoTime();
        assertThat(mine.poll(POLL)).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(POLL.plusSeconds(10));
    }

    /** At least once: a message not acknowledged within the visibility timeout is delivered again. */
    @Test
    void anUnacknowledgedMessageIsDeliveredAgainAfterTheVisibilityTimeout() throws Exception {
        Notifications mine = inbox(me);
        inbox(peer).publish(me, bytes("redeliver-me"));
        Notification first = receive(mine, 1).get("redeliver-me");
        assertThat(mine.poll(POLL)).as("invisible during its visibility timeout").isEmpty();
        Notification again = redelivered(mine, "redeliver-me");
        assertThat(again.payload()).isEqualTo(first.payload());
        mine.ack(again);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(messagesLeft(me)).isZero());
    }

    /** Receipt handles: the ack of a delivery whose visibility timeout passed must not delete the message delivered again since. */
    @Test
    void aLateAckDoesNotDeleteTheRedeliveredMessage() throws Exception {
        Notifications mine = inbox(me);
        inbox(peer).publish(me, bytes("late-ack"));
        Notification first = receive(mine, 1).get("late-ack");
        Notification second = redelivered(mine, "late-ack");
        try {
            mine.ack(first); // late: either refused with an IOException or without effect
        } catch (IOException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
        Notification third = redelivered(mine, "late-ack");
        assertThat(third.payload()).isEqualTo(second.payload());
        mine.ack(List.of(third));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(messagesLeft(me)).isZero());
    }

    private Notification redelivered(Notifications inbox, String payload) {
        AtomicReference<Notification> got = new AtomicReference<>();
        await().atMost(visibilityTimeout().multipliedBy(3).plusSeconds(20)).pollInterval(Duration.ZERO).until(() -> {
            for (Notification n : inbox.poll(POLL)) if (text(n).equals(payload)) got.set(n);
            return got.get() != null;
        });
        return got.get();
    }

    @Test
    void publishingToARouterWithoutAnInboxFailsWithAClearIOException() throws Exception {
        Notifications mine = inbox(me);
        assertThatThrownBy(() -> mine.publish("no-such-router-" + UUID.randomUUID().toString().substring(0, 8), bytes("x")))
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(e.getMessage()).isNotBlank().doesNotContain("null"));
    }

    @Test
    void anUnreachableServiceFailsWithAClearIOException() throws Exception {
        try (Notifications broken = openUnreachableInbox(me)) {
            assertThatThrownBy(() -> broken.poll(POLL)).isInstanceOf(IOException.class)
                    .satisfies(e -> assertThat(e.getMessage()).isNotBlank().doesNotContain("null"));
            assertThatThrownBy(() -> broken.publish(peer, bytes("x"))).isInstanceOf(IOException.class)
                    .satisfies(e -> assertThat(e.getMessage()).isNotBlank().doesNotContain("null"));
        } catch (IOException refusedAtOpen) {
            assertThat(refusedAtOpen.getMessage()).isNotBlank().doesNotContain("null");
        }
    }
}
