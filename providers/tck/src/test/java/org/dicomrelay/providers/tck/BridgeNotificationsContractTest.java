package org.dicomrelay.providers.tck;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.dicomrelay.relay.cloud.Notifications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The Cloud IO notifications contract for the Bridge's inbox (providers "bridge" and "filesystem"), against a real Bridge. */
class BridgeNotificationsContractTest extends NotificationsContract {
    private static final Duration VISIBILITY = Duration.ofSeconds(2);
    @TempDir
    static Path dataDir;
    private static BridgeFixture bridge;

    @BeforeAll
    static void startBridge() throws Exception {
        bridge = new BridgeFixture(dataDir, VISIBILITY);
    }

    @AfterAll
    static void stopBridge() {
        if (bridge != null) bridge.close();
    }

    @Override
    protected Notifications openInbox(String routerId) throws Exception {
        return CloudProvider.named("bridge").notifications(Map.of(), routerId, bridge.client(routerId));
    }

    @Override
    protected Duration visibilityTimeout() {
        return VISIBILITY;
    }

    @Override
    protected long messagesLeft(String routerId) throws Exception {
        return bridge.inboxMessages(routerId);
    }

    @Override
    protected Notifications openUnreachableInbox(String routerId) throws Exception {
        return CloudProvider.named("bridge").notifications(Map.of(), routerId, bridge.unreachableClient(routerId));
    }
}
