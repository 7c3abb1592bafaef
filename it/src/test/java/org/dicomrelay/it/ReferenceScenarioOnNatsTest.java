package org.dicomrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.ObjectInfo;
import io.nats.client.api.StreamInfoOptions;
import java.util.Map;
import org.dicomrelay.providers.emulators.NatsServer;
import org.junit.jupiter.api.Assumptions;

/**
 * {@link ReferenceScenario} with both routers on Cloud IO "nats": notifications on Debian's
 * nats-server (JetStream), blobs in the Object Store of the same server.
 */
class ReferenceScenarioOnNatsTest extends ReferenceScenario {
    private static final String STREAM = "DICOMRELAY_INBOX", BUCKET = "dicomrelay-blobs", USER = "relay", PASSWORD = "reference-scenario-secret";
    private NatsServer nats;
    private Connection admin;

    @Override protected RelayNetwork.Builder onProvider(RelayNetwork.Builder network) throws Exception {
        Assumptions.assumeTrue(NatsServer.binary().isPresent(), NatsServer.ABSENT);
        nats = new NatsServer(USER, PASSWORD);
        admin = Nats.connect(new Options.Builder().server(nats.url().toString()).userInfo(USER, PASSWORD).build());
        return network.cloud("nats", Map.of("blobs", "nats", "nats.url", nats.url().toString(), "nats.user", USER, "nats.password", PASSWORD,
                "nats.visibilitySeconds", "30"));
    }

    @Override protected void assertProviderEmpty() throws Exception {
        JetStreamManagement jsm = admin.jetStreamManagement();
        for (String routerId : new String[] {"hospital-a", "hospital-b"}) {
            ConsumerInfo c = jsm.getConsumerInfo(STREAM, "inbox-" + routerId);
            assertThat(c.getNumPending() + c.getNumAckPending()).as("notifications held for " + routerId).isZero();
        }
        assertThat(jsm.getStreamInfo(STREAM).getStreamState().getMsgCount()).as("messages in the inbox stream").isZero();
        long live = 0;
        for (ObjectInfo o : admin.objectStore(BUCKET).getList()) if (!o.isDeleted()) live++;
        assertThat(live).as("objects in the blob bucket").isZero();
        var chunks = admin.jetStreamManagement().getStreamInfo("OBJ_" + BUCKET, StreamInfoOptions.filterSubjects("$O." + BUCKET + ".C.>"))
                .getStreamState().getSubjects();
        assertThat(chunks == null ? 0 : chunks.stream().mapToLong(c -> c.getCount()).sum()).as("chunks left in the blob bucket").isZero();
    }

    @Override protected void stopProvider() throws Exception {
        if (admin != null) admin.close();
        if (nats != null) nats.close();
    }
}
