package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeException;
import org.dicomrelay.relay.cloud.Notifications.Notification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InboxTest {

    @TempDir
    Path dir;

    /** A long poll on another thread that records when its answer arrived. */
    private record Poll(CompletableFuture<List<Notification>> result, long[] answeredAt) {
        static Poll start(BridgeClient client, Duration wait) {
            long[] at = new long[1];
            CompletableFuture<List<Notification>> f = CompletableFuture.supplyAsync(() -> {
                try {
                    List<Notification> got = client.poll(wait);
                    at[0] = System.nanoTime();
                    return got;
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            return new Poll(f, at);
        }

        List<Notification> get() throws Exception {
            return result.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void waitingPollReturnsPromptlyAfterPublish() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeClient b = bridge.client(bridge.enroll("b"));

            Poll poll = Poll.start(b, Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(10)).until(() -> bridge.server.inbox().waiting("b") == 1);
            assertThat(poll.result()).isNotDone();

            long published = System.nanoTime();
            a.publish("b", new byte[] {7, 7, 7});
            List<Notification> got = poll.get();

            assertThat(got).hasSize(1);
            assertThat(got.get(0).payload()).containsExactly(7, 7, 7);
            // the poll was parked until the publish and answered right after it, far from its 20 s limit
            assertThat(Duration.ofNanos(poll.answeredAt()[0] - published)).isLessThan(Duration.ofMillis(500));
            assertThat(bridge.server.inbox().waiting("b")).isZero();
        }
    }

    @Test
    void pendingMessagesComeAtOnceInOrderAndAckRemovesThem() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            var cb = bridge.enroll("b");
            BridgeClient b = bridge.client(cb);
            for (int i = 0; i < 3; i++) a.publish("b", new byte[] {(byte) i});

            List<Notification> got = b.poll(Duration.ofSeconds(20));
            assertThat(got).extracting(n -> n.payload()[0]).containsExactly((byte) 0, (byte) 1, (byte) 2);
            for (Notification n : got) b.ack(n.id());
            assertThat(bridge.count("SELECT COUNT(*) FROM inbox_messages")).isZero();
            assertThat(b.poll(Duration.ZERO)).isEmpty();
            // acknowledging again: the Bridge says it is gone, the client takes that as done
            assertThat(bridge.call("DELETE", "/api/router/inbox/" + got.get(0).id(), cb.apiKey(), null).statusCode()).isEqualTo(404);
            b.ack(got.get(0).id());
        }
    }

    @Test
    void onlyTheRecipientCanAcknowledge() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            String cKey = bridge.enroll("c").apiKey();
            a.publish("b", new byte[] {1});
            String id = b.poll(Duration.ZERO).get(0).id();
            assertThat(bridge.call("DELETE", "/api/router/inbox/" + id, cKey, null).statusCode()).isEqualTo(404);
            assertThat(bridge.count("SELECT COUNT(*) FROM inbox_messages")).isOne();
        }
    }

    @Test
    void unacknowledgedMessageIsRedeliveredAfterTheVisibilityTimeout() throws Exception {
        try (TestBridge bridge = new TestBridge(dir, c -> c.visibilityTimeout(Duration.ofSeconds(2)))) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            a.publish("b", new byte[] {42});

            Notification first = b.poll(Duration.ZERO).get(0);
            assertThat(b.poll(Duration.ZERO)).as("hidden while delivered").isEmpty();

            // a waiting poll is woken when the hidden message becomes visible again
            long start = System.nanoTime();
            List<Notification> again = b.poll(Duration.ofSeconds(20));
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            assertThat(again).hasSize(1);
            assertThat(again.get(0).id()).as("each delivery has its own receipt").isNotEqualTo(first.id());
            assertThat(again.get(0).payload()).containsExactly(42);
            assertThat(waited).isLessThan(Duration.ofSeconds(10));
            assertThat(bridge.count("SELECT deliveries FROM inbox_messages")).isEqualTo(2);

            b.ack(first.id()); // late: the first delivery's receipt no longer deletes it
            assertThat(bridge.count("SELECT COUNT(*) FROM inbox_messages")).isOne();
            b.ack(again.get(0).id());
            assertThat(bridge.count("SELECT COUNT(*) FROM inbox_messages")).isZero();
        }
    }

    @Test
    void payloadSizeIsLimited() throws Exception {
        try (TestBridge bridge = new TestBridge(dir, c -> c.maxPayloadBytes(1024))) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            a.publish("b", new byte[1024]);
            BridgeException tooBig = catchThrowableOfType(BridgeException.class, () -> a.publish("b", new byte[1025]));
            assertThat(tooBig.status()).isEqualTo(413);
            BridgeException empty = catchThrowableOfType(BridgeException.class, () -> a.publish("b", new byte[0]));
            assertThat(empty.status()).isEqualTo(400);
            assertThat(b.poll(Duration.ZERO)).singleElement().satisfies(n -> assertThat(n.payload()).hasSize(1024));
        }
    }

    @Test
    void unknownRecipientIsNotFound() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeException e = catchThrowableOfType(BridgeException.class, () -> a.publish("nobody", new byte[] {1}));
            assertThat(e.status()).isEqualTo(404);
            assertThat(bridge.call("POST", "/api/router/inbox/..", bridge.enroll("b").apiKey(), "x").statusCode()).isIn(400, 404);
        }
    }

    @Test
    void fullInboxRefusesMore() throws Exception {
        try (TestBridge bridge = new TestBridge(dir, c -> c.maxInboxMessages(2))) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            a.publish("b", new byte[] {1});
            a.publish("b", new byte[] {2});
            assertThat(catchThrowableOfType(BridgeException.class, () -> a.publish("b", new byte[] {3})).status()).isEqualTo(429);
            b.ack(b.poll(Duration.ZERO).get(0).id());
            a.publish("b", new byte[] {3});
        }
    }

    /** Issue 9, "no per-sender inbox quota": a flooding router gets 429 for itself only; the others still post. */
    @Test
    void aSenderOverItsQuotaGets429WhileAnotherStillPosts() throws Exception {
        try (TestBridge bridge = new TestBridge(dir, c -> c.inboxPerSender(2))) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeClient x = bridge.client(bridge.enroll("x"));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            x.publish("b", new byte[] {1});
            x.publish("b", new byte[] {2});
            BridgeException refused = catchThrowableOfType(BridgeException.class, () -> x.publish("b", new byte[] {3}));
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused).hasMessageContaining("router x has 2 unacknowledged notifications in the inbox of router b");
            a.publish("b", new byte[] {4});
            a.publish("b", new byte[] {5});
            x.publish("a", new byte[] {6}); // its quota is per recipient
            // Acknowledged notifications no longer count.
            for (Notification n : b.poll(Duration.ZERO)) {
                if (n.payload()[0] == 1) b.ack(n.id());
            }
            x.publish("b", new byte[] {3});
            assertThat(bridge.count("SELECT COUNT(*) FROM inbox_messages WHERE recipient_id = 'b'")).isEqualTo(4);
        }
    }

    @Test
    void pollWaitIsBoundedByTheConfiguredMaximum() throws Exception {
        try (TestBridge bridge = new TestBridge(dir, c -> c.notificationWait(Duration.ofMillis(300)))) {
            String key = bridge.enroll("a").apiKey();
            long start = System.nanoTime();
            HttpResponse<String> r = bridge.call("GET", "/api/router/inbox?waitSeconds=3600", key, null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("[]");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(bridge.call("GET", "/api/router/inbox?waitSeconds=-1", key, null).statusCode()).isEqualTo(400);
            assertThat(bridge.call("GET", "/api/router/inbox?waitSeconds=soon", key, null).statusCode()).isEqualTo(400);
        }
    }

    @Test
    void manyParkedPollsDoNotHoldServerThreads() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            int n = 40;
            List<Poll> polls = new java.util.ArrayList<>();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
            try {
                for (int i = 0; i < n; i++) {
                    CompletableFuture<List<Notification>> f = CompletableFuture.supplyAsync(() -> {
                        try {
                            return b.poll(Duration.ofSeconds(5));
                        } catch (Exception e) {
                            throw new CompletionException(e);
                        }
                    }, pool);
                    polls.add(new Poll(f, new long[1]));
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> bridge.server.inbox().waiting("b") == n);
                // the server still answers other requests at once
                assertThat(a.directory().routers()).hasSize(2);
                // each message goes to exactly one poll (one poll may take several; the rest time out empty)
                for (int i = 0; i < n; i++) a.publish("b", new byte[] {(byte) i});
                int received = 0;
                for (Poll p : polls) received += p.get().size();
                assertThat(received).isEqualTo(n);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
