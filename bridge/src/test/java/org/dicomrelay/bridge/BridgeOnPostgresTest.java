package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeException;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.cloud.Notifications.Notification;
import org.dicomrelay.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Bridge on PostgreSQL (issue 12): the same Flyway migrations as H2, and two Bridge instances
 * on one database (and one blob folder) serving the same routers — either may answer, a long poll
 * parked at one instance returns as soon as the other stores a notification for it, a blob read
 * through one streams what is uploaded through the other (LISTEN/NOTIFY), and a router whose
 * instance dies goes on through the other.
 */
@Timeout(180)
class BridgeOnPostgresTest {
    private static PostgresCluster pg;
    private static int databases;

    @TempDir Path dir;

    @BeforeAll static void startPostgres() throws Exception {
        pg = PostgresCluster.start("bridge_setup");
    }

    @AfterAll static void stopPostgres() {
        if (pg != null) pg.close();
    }

    /** A database of its own per test, in the one cluster. */
    private static String freshDatabase() throws Exception {
        String name = "bridge_" + (++databases);
        try (var c = java.sql.DriverManager.getConnection(pg.jdbcUrl("bridge_setup")); var s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return pg.jdbcUrl(name);
    }

    private TestBridge instance(Path data, String jdbcUrl) throws Exception {
        return new TestBridge(data, b -> b.jdbcUrl(jdbcUrl).notificationWait(Duration.ofSeconds(60)));
    }

    @Test void theMigrationsRunOnPostgresAndRoutersExchangeNotifications() throws Exception {
        try (TestBridge bridge = instance(dir, freshDatabase())) {
            assertThat(bridge.count("SELECT COUNT(*) FROM flyway_schema_history WHERE success")).isGreaterThanOrEqualTo(5);
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            a.publish("b", new byte[] {1, 2, 3});
            List<Notification> got = b.poll(Duration.ofSeconds(5));
            assertThat(got).hasSize(1);
            assertThat(got.get(0).payload()).containsExactly(1, 2, 3);
            b.ack(got.get(0).id());
            assertThat(bridge.count("SELECT COUNT(*) FROM inbox_messages")).isZero();
        }
    }

    /** The inbox limits (one INSERT ... SELECT that counts) and the batched ack behave on PostgreSQL as on H2. */
    @Test void inboxLimitsAndBatchedAcksHoldOnPostgres() throws Exception {
        String url = freshDatabase();
        try (TestBridge bridge = new TestBridge(dir, b -> b.jdbcUrl(url).maxInboxMessages(3).inboxPerSender(2))) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeClient x = bridge.client(bridge.enroll("x"));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            a.publish("b", new byte[] {1});
            a.publish("b", new byte[] {2});
            BridgeException perSender = catchThrowableOfType(BridgeException.class, () -> a.publish("b", new byte[] {3}));
            assertThat(perSender.status()).isEqualTo(429);
            assertThat(perSender).hasMessageContaining("router a has 2 unacknowledged notifications in the inbox of router b");
            x.publish("b", new byte[] {4});
            BridgeException full = catchThrowableOfType(BridgeException.class, () -> x.publish("b", new byte[] {5}));
            assertThat(full.status()).isEqualTo(429);
            assertThat(full).hasMessageContaining("the inbox of router b is full");
            assertThat(catchThrowableOfType(BridgeException.class, () -> a.publish("nobody", new byte[] {6})).status())
                    .isEqualTo(404);

            List<Notification> got = b.poll(Duration.ZERO);
            assertThat(got).hasSize(3);
            b.ack(got.stream().map(Notification::id).toList());
            assertThat(bridge.count("SELECT COUNT(*) FROM inbox_messages")).isZero();
            a.publish("b", new byte[] {7}); // room again
        }
    }

    /**
     * The SQL on Jdbi (access matrix, AE release, enrollment tokens, blob rows, metrics) is portable:
     * the same calls answer the same on PostgreSQL as on H2 (where every other test runs them).
     */
    @Test void accessMatrixTokensBlobsAndMetricsRunOnPostgres() throws Exception {
        try (TestBridge bridge = instance(dir, freshDatabase())) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            b.publishAes(List.of(new org.dicomrelay.relay.bridge.AeExport("PACS_B", List.of("store", "find"))));

            assertThat(bridge.admin("PUT", "/api/admin/access", "{\"routerId\":\"a\",\"aeTitle\":\"PACS_B\",\"services\":[\"find\",\"store\"]}")
                    .body()).isEqualTo("{\"routerId\":\"a\",\"aeTitle\":\"PACS_B\",\"services\":[\"find\",\"store\"],\"owner\":\"b\",\"exported\":true}");
            assertThat(a.directory().access().services("a", "PACS_B", "b")).containsExactlyInAnyOrder("find", "store");
            assertThat(bridge.admin("DELETE", "/api/admin/access?routerId=a&aeTitle=PACS_B&services=store", null).body())
                    .contains("\"services\":[\"find\"]");
            assertThat(bridge.admin("POST", "/api/admin/aes/release", "{\"aeTitle\":\"PACS_B\"}").statusCode())
                    .as("b still exports it").isEqualTo(409);

            String unused = TestBridge.json(bridge.admin("POST", "/api/admin/enrollment-tokens", "{\"routerId\":\"c\"}")).get("id").asText();
            assertThat(TestBridge.json(bridge.admin("GET", "/api/admin/enrollment-tokens", null)).get("tokens")).hasSize(1);
            assertThat(bridge.admin("DELETE", "/api/admin/enrollment-tokens/" + unused, null).statusCode()).isEqualTo(200);
            assertThat(bridge.admin("DELETE", "/api/admin/enrollment-tokens/" + unused, null).statusCode()).isEqualTo(409);

            byte[] blob = TestBridge.randomBytes(1000);
            String name = org.dicomrelay.relay.cloud.BlobNames.random();
            a.putBlobPart(new org.dicomrelay.relay.cloud.BlobPart(name, "b", 0, 0, blob, blob.length, true)).get(30, TimeUnit.SECONDS);
            try (var in = b.openBlob(name)) {
                assertThat(in.readAllBytes()).isEqualTo(blob);
            }
            a.publish("b", new byte[] {1});
            String metrics = bridge.admin("GET", "/metrics", null).body();
            assertThat(metrics).contains("bridge_inbox_depth{router=\"b\"} 1.0").contains("bridge_blobs_stored_bytes{router=\"b\"} 1000.0");
            b.deleteBlob(name);
            assertThat(bridge.count("SELECT COUNT(*) FROM blobs")).isZero();
        }
    }

    @Test void aPollParkedAtOneInstanceReturnsWhenTheOtherStoresItsNotification() throws Exception {
        String url = freshDatabase();
        try (TestBridge first = instance(dir, url); TestBridge second = instance(dir, url)) {
            BridgeCredentials bCredentials = first.enroll("b");
            BridgeClient a = first.client(first.enroll("a"));
            BridgeClient bAtSecond = second.client(bCredentials);

            CompletableFuture<List<Notification>> poll = CompletableFuture.supplyAsync(() -> {
                try {
                    return bAtSecond.poll(Duration.ofSeconds(60));
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> second.server.inbox().waiting("b") == 1);
            a.publish("b", new byte[] {42});
            // Well inside the poll's 60 s: the signal, not the poll's timeout, brought it.
            List<Notification> got = poll.get(10, TimeUnit.SECONDS);
            assertThat(got).hasSize(1);
            assertThat(got.get(0).payload()).containsExactly(42);
        }
    }

    @Test void twoInstancesPollingOneInboxDeliverEachNotificationOnce() throws Exception {
        String url = freshDatabase();
        try (TestBridge first = instance(dir, url); TestBridge second = instance(dir, url)) {
            BridgeCredentials bCredentials = first.enroll("b");
            BridgeClient a = first.client(first.enroll("a"));
            BridgeClient aAtSecond = second.client(first.enroll("c"));
            List<BridgeClient> readers = List.of(first.client(bCredentials), second.client(bCredentials));
            int n = 200;
            for (int i = 0; i < n; i++) (i % 2 == 0 ? a : aAtSecond).publish("b", new byte[] {(byte) i, (byte) (i >> 8)});
            List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            List<CompletableFuture<Void>> pollers = new ArrayList<>();
            for (BridgeClient r : readers) {
                pollers.add(CompletableFuture.runAsync(() -> {
                    try {
                        while (seen.size() < n) {
                            for (Notification m : r.poll(Duration.ofMillis(200))) {
                                seen.add((m.payload()[0] & 0xff) + (m.payload()[1] & 0xff) * 256 + "");
                                r.ack(m.id());
                            }
                        }
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                }));
            }
            CompletableFuture.allOf(pollers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            Set<String> distinct = new HashSet<>(seen);
            assertThat(distinct).hasSize(n);
            assertThat(seen).as("a notification handed to both instances' pollers").hasSize(n);
        }
    }

    @Test void aBlobUploadedThroughOneInstanceStreamsToItsRecipientReadingThroughTheOther() throws Exception {
        String url = freshDatabase();
        try (TestBridge first = instance(dir, url); TestBridge second = instance(dir, url)) {
            BridgeCredentials bCredentials = first.enroll("b");
            BridgeClient a = first.client(first.enroll("a"));
            BridgeClient bAtSecond = second.client(bCredentials);
            byte[] head = new byte[100_000], tail = new byte[50_000];
            new java.util.Random(7).nextBytes(head);
            new java.util.Random(8).nextBytes(tail);
            String blob = "blob-" + java.util.HexFormat.of().formatHex(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            a.putBlobPart(new org.dicomrelay.relay.cloud.BlobPart(blob, "b", 0, 0, head, head.length, false)).get(10, TimeUnit.SECONDS);
            CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
                try (var in = bAtSecond.openBlob(blob)) {
                    return in.readAllBytes();
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            a.putBlobPart(new org.dicomrelay.relay.cloud.BlobPart(blob, "b", 1, head.length, tail, tail.length, true)).get(10, TimeUnit.SECONDS);
            // Well inside the 60 s blobIdleTimeout: the second instance heard of the last part through the database.
            byte[] got = read.get(10, TimeUnit.SECONDS);
            assertThat(got).hasSize(head.length + tail.length);
            assertThat(java.util.Arrays.copyOfRange(got, head.length, got.length)).isEqualTo(tail);
        }
    }

    @Test void aRouterWhoseBridgeInstanceDiesGoesOnThroughTheOtherAndLosesNothing() throws Exception {
        String url = freshDatabase();
        try (TestBridge first = instance(dir, url); TestBridge second = instance(dir, url)) {
            BridgeCredentials aCredentials = first.enroll("a"), bCredentials = first.enroll("b");
            BridgeClient a = new BridgeClient(aCredentials.withBridgeUrl(first.url()), List.of(second.url()));
            BridgeClient b = new BridgeClient(bCredentials.withBridgeUrl(first.url()), List.of(second.url()));
            a.publish("b", new byte[] {1});
            first.close(); // the instance both routers were calling
            a.publish("b", new byte[] {2}); // taken by the other instance, without an error to the caller
            List<Integer> got = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (Notification n : b.poll(Duration.ofSeconds(1))) {
                    got.add((int) n.payload()[0]);
                    b.ack(n.id());
                }
                return got.size() >= 2;
            });
            assertThat(got).containsExactlyInAnyOrder(1, 2);
            assertThat(second.count("SELECT COUNT(*) FROM inbox_messages")).isZero();
        }
    }
}
