package org.dicomrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.ConsumerInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.dicomrelay.providers.emulators.NatsServer;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The reference C-STORE (workstation at A → PACS B, DCMTK storescp +B) with both routers on Cloud
 * IO "nats": notifications on Debian's nats-server (JetStream, 127.0.0.1, user and password from
 * router.yaml), blobs in the Bridge's store ({@code blobs: bridge}). The objects arrive
 * byte-identical; afterwards the routers' consumers hold nothing, the Bridge holds no blob, and once
 * the consumers are removed the stream is empty; the NATS password is in no log line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class StoreThroughNatsTest {
    private static final String STREAM = "DICOMRELAY_INBOX";
    private static final String USER = "relay";
    private static final String PASSWORD = "nats-it-secret-never-logged";
    private static final ObjectMapper JSON = new ObjectMapper();

    private NatsServer nats;
    private Connection admin;
    private RelayNetwork net;

    @BeforeAll void start() throws Exception {
        Assumptions.assumeTrue(NatsServer.binary().isPresent(), NatsServer.ABSENT);
        nats = new NatsServer(USER, PASSWORD);
        admin = Nats.connect(new Options.Builder().server(nats.url().toString()).userInfo(USER, PASSWORD).build());
        net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP).cloud("nats", Map.of("blobs", blobs(), "nats.url", nats.url().toString(),
                "nats.user", USER, "nats.password", PASSWORD, "nats.visibilitySeconds", "30")).start();
    }

    @AfterAll void stop() throws Exception {
        if (net != null) net.close();
        if (admin != null) admin.close();
        if (nats != null) nats.close();
    }

    /** Where the blobs wait: the Bridge's store here. */
    String blobs() {
        return "bridge";
    }

    /** Blobs still held where they wait. */
    long blobsLeft() throws Exception {
        JsonNode n = JSON.readTree(net.admin("GET", "/api/admin/blobs", null).body());
        return n.get("blobs").asLong();
    }

    /** Removes what the blob store made beside the inbox stream (nothing for the Bridge's store). */
    void removeBlobStore(JetStreamManagement jsm) throws Exception {}

    Connection admin() {
        return admin;
    }

    private long held(JetStreamManagement jsm, String routerId) throws Exception {
        ConsumerInfo c = jsm.getConsumerInfo(STREAM, "inbox-" + routerId);
        return c.getNumPending() + c.getNumAckPending();
    }

    @Test void aStoreThroughRoutersNotifiedOverNatsArrivesByteIdenticalAndLeavesNothingBehind() throws Exception {
        List<Path> files = List.of(Samples.file("test_files/CT_small.dcm"), Samples.file("test_files/MR_small.dcm"));
        net.storeEachAndAssertByteIdenticalAtPacs(files);
        JetStreamManagement jsm = admin.jetStreamManagement();
        assertThat(jsm.getStreamInfo(STREAM).getStreamState().getLastSequence()).as("notifications went through the NATS stream").isGreaterThanOrEqualTo(2);
        await("notifications acknowledged, blobs consumed and deleted").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    assertThat(held(jsm, "hospital-a")).isZero();
                    assertThat(held(jsm, "hospital-b")).isZero();
                    assertThat(jsm.getStreamInfo(STREAM).getStreamState().getMsgCount()).isZero();
                    assertThat(blobsLeft()).isZero();
                });
        assertThat(net.logs.lines()).as("the routers' logs").noneMatch(l -> l.contains(PASSWORD));
        net.close();
        net = null;
        // The routers' durable consumers outlive them (their inboxes); an operator removing the routers removes them, and nothing is left.
        for (String routerId : List.of("hospital-a", "hospital-b")) assertThat(jsm.deleteConsumer(STREAM, "inbox-" + routerId)).isTrue();
        assertThat(jsm.getConsumerNames(STREAM)).isEmpty();
        assertThat(jsm.getStreamInfo(STREAM).getStreamState().getMsgCount()).isZero();
        assertThat(jsm.deleteStream(STREAM)).isTrue();
        removeBlobStore(jsm);
        assertThat(jsm.getStreamNames()).isEmpty();
    }
}
