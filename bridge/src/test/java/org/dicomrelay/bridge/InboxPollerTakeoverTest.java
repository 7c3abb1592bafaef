package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.cloud.Notifications.Notification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restarted router polls through a new poller: the Bridge must not leave what it handed to the
 * previous, dead poller hidden for the visibility timeout (60 s by default), which is longer than
 * the requesting router waits for an answer. The Bridge runs with its default visibility timeout,
 * and every wait asserted here is far below it.
 */
class InboxPollerTakeoverTest {
    private static final Duration PROMPT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private static CompletableFuture<List<Notification>> pollAsync(BridgeClient client, String poller) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return client.poll(Duration.ofSeconds(20), poller);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
    }

    @Test
    void aPollParkedForThePreviousPollerEndsAndDoesNotSwallowTheNextNotification() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            var cb = bridge.enroll("b");
            // the stopped instance's long poll is still parked at the Bridge (its process may be gone)
            CompletableFuture<List<Notification>> old = pollAsync(bridge.client(cb), "old-instance");
            await().atMost(PROMPT).until(() -> bridge.server.inbox().waiting("b") == 1);

            CompletableFuture<List<Notification>> fresh = pollAsync(bridge.client(cb), "new-instance");
            assertThat(old.get(PROMPT.toSeconds(), TimeUnit.SECONDS)).as("the previous poller's parked poll ends, empty").isEmpty();
            await().atMost(PROMPT).until(() -> bridge.server.inbox().waiting("b") == 1);
            assertThat(fresh).isNotDone();

            a.publish("b", new byte[] {5});
            assertThat(fresh.get(PROMPT.toSeconds(), TimeUnit.SECONDS)).singleElement()
                    .satisfies(n -> assertThat(n.payload()).containsExactly(5));
        }
    }

    @Test
    void aNewPollerGetsAtOnceWhatWasInFlightToThePreviousOne() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            a.publish("b", new byte[] {9});
            // handed to a poller that never acknowledges it (its router was killed)
            Notification lost = b.poll(Duration.ZERO, "old-instance").get(0);
            assertThat(b.poll(Duration.ZERO, "old-instance")).as("hidden while delivered to the same poller").isEmpty();

            long start = System.nanoTime();
            List<Notification> again = b.poll(Duration.ofSeconds(20), "new-instance");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPT);
            assertThat(again).singleElement().satisfies(n -> {
                // The same notification (its row) as a new delivery: an acknowledgement of the lost one no longer deletes it.
                assertThat(n.id().split("-")[0]).isEqualTo(lost.id().split("-")[0]);
                assertThat(n.id()).isNotEqualTo(lost.id());
                assertThat(n.payload()).containsExactly(9);
            });
            assertThat(bridge.count("SELECT deliveries FROM inbox_messages")).isEqualTo(2);

            // the new poller keeps what it took: its own next poll does not release it
            assertThat(b.poll(Duration.ZERO, "new-instance")).isEmpty();
            b.ack(again.get(0).id());
            assertThat(bridge.count("SELECT COUNT(*) FROM inbox_messages")).isZero();
        }
    }

    @Test
    void aReplacedPollerThatStillPollsCompetesButNeverTakesOverAgain() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            assertThat(b.poll(Duration.ZERO, "first")).isEmpty();
            assertThat(b.poll(Duration.ZERO, "second")).isEmpty(); // "second" replaces "first"
            a.publish("b", new byte[] {3});
            assertThat(b.poll(Duration.ZERO, "second")).hasSize(1);
            // two instances alive under one account: the replaced one gets nothing back of what the other holds
            assertThat(b.poll(Duration.ZERO, "first")).isEmpty();
            assertThat(b.poll(Duration.ZERO, "second")).isEmpty();
            a.publish("b", new byte[] {4});
            assertThat(b.poll(Duration.ZERO, "first")).singleElement().satisfies(n -> assertThat(n.payload()).containsExactly(4));
        }
    }

    @Test
    void unnamedPollsNeverTakeOver() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            a.publish("b", new byte[] {1});
            assertThat(b.poll(Duration.ZERO, "instance")).hasSize(1);
            assertThat(b.poll(Duration.ZERO)).as("still in flight to the named poller").isEmpty();
            assertThat(b.poll(Duration.ZERO, "instance")).isEmpty();
        }
    }

    @Test
    void aMalformedPollerIdIsRefused() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            var cb = bridge.enroll("b");
            BridgeClient b = bridge.client(cb);
            org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> b.poll(Duration.ZERO, "not/a poller"));
            var answer = bridge.call("GET", "/api/router/inbox?waitSeconds=0&poller=" + "x".repeat(65), cb.apiKey(), null);
            assertThat(answer.statusCode()).isEqualTo(400);
            assertThat(answer.body()).contains("poller must be");
        }
    }
}
