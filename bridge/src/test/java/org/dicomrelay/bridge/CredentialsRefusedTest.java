package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomrelay.relay.bridge.BridgeAuthException;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeUnreachableException;
import org.dicomrelay.relay.bridge.CredentialsListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a router's client tells the Bridge's answers apart: its credentials refused (401, a typed
 * exception and the listener told at once, whichever call hears it), and no Bridge at all (a
 * network failure that names the Bridge's address, never "null").
 */
class CredentialsRefusedTest {

    @TempDir
    Path dir;

    private static final class Recorder implements CredentialsListener {
        final List<BridgeAuthException> refusals = new CopyOnWriteArrayList<>();
        final AtomicInteger accepted = new AtomicInteger();

        @Override public void refused(BridgeAuthException e) {
            refusals.add(e);
        }

        @Override public void accepted(long requestSentNanos) {
            accepted.incrementAndGet();
        }
    }

    @Test
    void aRevokedRoutersCallsThrowTheTypedRefusalAndTellTheListener() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            Recorder recorder = new Recorder();
            a.listen(recorder);
            a.directory();
            assertThat(recorder.accepted).hasValue(1);
            assertThat(recorder.refusals).isEmpty();

            bridge.admin("POST", "/api/admin/routers/a/revoke", null);
            BridgeAuthException polled = catchThrowableOfType(BridgeAuthException.class, () -> a.poll(Duration.ofMillis(10)));
            assertThat(polled.status()).isEqualTo(401);
            assertThat(polled).hasMessageContaining("router revoked");
            assertThat(catchThrowableOfType(BridgeAuthException.class, () -> a.publish("a", new byte[] {1}))).isNotNull();
            assertThat(catchThrowableOfType(BridgeAuthException.class, a::directory)).isNotNull();
            assertThat(recorder.refusals).hasSize(3);
            assertThat(recorder.accepted).hasValue(1);
        }
    }

    @Test
    void noBridgeIsANetworkFailureNamingItsAddress() throws Exception {
        BridgeClient client;
        String url;
        try (TestBridge bridge = new TestBridge(dir)) {
            client = bridge.client(bridge.enroll("a"));
            url = bridge.url().toString();
        }
        Recorder recorder = new Recorder();
        client.listen(recorder);
        BridgeUnreachableException e = catchThrowableOfType(BridgeUnreachableException.class, client::directory);
        assertThat(e).hasMessageContaining(url).hasMessageContaining("unreachable").hasMessageNotContaining("null");
        assertThat(recorder.refusals).isEmpty();
        assertThat(recorder.accepted).hasValue(0);
    }
}
