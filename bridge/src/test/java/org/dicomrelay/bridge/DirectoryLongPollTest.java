package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.dicomrelay.relay.bridge.AeExport;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.Directory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, "the exporting router must start first or the other waits up to 10 s": a router asks
 * for the directory after the version it has, and the Bridge answers as soon as it changes; with
 * no change, the same version when the wait is over. Publishing the same AE titles again (routers
 * do at every sync) is no change, or every router would wake every other in a loop.
 */
@Timeout(60)
class DirectoryLongPollTest {
    @TempDir Path dir;

    @Test void aHeldRequestIsAnsweredWhenAnotherRouterExports() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("hospital-a"));
            BridgeClient b = bridge.client(bridge.enroll("hospital-b"));
            long version = a.directory().version();
            CompletableFuture<Directory> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return a.directoryAfter(version, Duration.ofSeconds(20));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await("the request is held at the Bridge").atMost(Duration.ofSeconds(10)).until(() -> bridge.server.directoryWaiters() == 1);
            assertThat(held).isNotDone();
            b.publishAes(List.of(new AeExport("PACS_B", List.of("echo"))));
            Directory changed = held.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(changed.version()).isGreaterThan(version);
        }
    }

    /** A Bridge that stops answers what it holds first: an answer written after its server stopped would meet a recycled request. */
    @Test void aStoppingBridgeAnswersTheHeldRequestsFirst() throws Exception {
        java.util.List<String> javalinWarnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger javalin = java.util.logging.Logger.getLogger("io.javalin");
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) javalinWarnings.add(r.getMessage());
            }

            @Override public void flush() {}

            @Override public void close() {}
        };
        javalin.addHandler(capture);
        try {
            TestBridge bridge = new TestBridge(dir);
            BridgeClient a = bridge.client(bridge.enroll("hospital-a"));
            long version = a.directory().version();
            CompletableFuture<Directory> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return a.directoryAfter(version, Duration.ofSeconds(20));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> bridge.server.directoryWaiters() == 1);
            bridge.close();
            assertThat(held.get(10, java.util.concurrent.TimeUnit.SECONDS).version()).isEqualTo(version);
            assertThat(javalinWarnings).isEmpty();
        } finally {
            javalin.removeHandler(capture);
        }
    }

    @Test void withoutAChangeTheSameVersionComesBackWhenTheWaitIsOver() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient b = bridge.client(bridge.enroll("hospital-b"));
            b.publishAes(List.of(new AeExport("PACS_B", List.of("echo"))));
            long version = b.directory().version();
            b.publishAes(List.of(new AeExport("PACS_B", List.of("echo"))));
            assertThat(b.directory().version()).as("the same titles again change nothing").isEqualTo(version);
            assertThat(b.directoryAfter(version, Duration.ofMillis(200)).version()).isEqualTo(version);
            assertThat(b.directoryAfter(version - 1, Duration.ofSeconds(20)).version()).as("an older version is answered at once").isEqualTo(version);
        }
    }
}
