package org.dicomrelay.it;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.dicomrelay.router.link.CloudCourier;
import org.dicomrelay.router.link.LinkMessage;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Access control end to end. Hospital B has PACS_B (DCMTK storescp) exported with every service,
 * HIDDEN_B in its device table but not exported, and STOREONLY_B exported for store only. Router
 * A refuses what its routing table (the Bridge's directory) does not allow; router B checks again
 * against its own device table whatever another router asks; and B executes nothing from a
 * router whose keys it does not hold (forged, or revoked at the Bridge). Every refusal is logged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class AccessControlTest {
    private static final String STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1";
    private static final String COURIER = "org.dicomrelay.router.link.CloudCourier";
    private RelayNetwork net;

    @BeforeAll void start() throws Exception {
        net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP)
                .deviceB("HIDDEN_B", RelayNetwork.ALL, false)
                .deviceB("STOREONLY_B", List.of("store"), true)
                .extraRouter("hospital-x")
                .extraRouter("hospital-y")
                .grant("hospital-a", "PACS_B", "echo", "store", "find", "move", "get")
                .grant("hospital-a", "STOREONLY_B", "echo", "store", "find", "move", "get")
                .grant("hospital-y", "PACS_B", "echo")
                .start();
    }

    @AfterAll void stop() {
        if (net != null) net.close();
    }

    private String portA() {
        return String.valueOf(net.portA());
    }

    // ---- router A: the routing table is the access-control list ------------------------------

    @Test void anAeBDoesNotExportIsNotRoutedAndItsAssociationIsRejected() throws Exception {
        assertThat(net.a.routes().route("HIDDEN_B")).as("HIDDEN_B in A's routing table").isEmpty();
        assertThat(net.admin("GET", "/api/admin/routers", null).body()).as("the Bridge's router list")
                .contains("STOREONLY_B").doesNotContain("HIDDEN_B");
        Peers.Result echo = RelayNetwork.tool("echoscu", "-aet", RelayNetwork.WORKSTATION, "-aec", "HIDDEN_B", "127.0.0.1", portA());
        assertThat(echo.exitCode()).isNotZero();
        assertThat(echo.output()).containsIgnoringCase("Called AE Title Not Recognized");
        Path rt = Samples.file("test_files/rtplan.dcm");
        Peers.Result store = RelayNetwork.tool("storescu", "-aet", RelayNetwork.WORKSTATION, "-aec", "HIDDEN_B", "127.0.0.1", portA(), rt.toString());
        assertThat(store.exitCode()).isNotZero();
        assertThat(store.output()).containsIgnoringCase("Called AE Title Not Recognized");
        assertThat(net.logs.warnings("org.dicomrelay.router.RelayScp", "refused association from WORKSTATION to HIDDEN_B",
                "called AE title is not in the routing table")).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test void aServiceTheExportDoesNotAllowIsRefusedWith0124() throws Exception {
        Attributes keys = new Attributes();
        keys.setString(0x00080052, VR.CS, "STUDY");
        keys.setString(0x0020000D, VR.UI, "");
        RelayNetwork.FindResult found = net.findThroughA("STOREONLY_B", keys);
        assertThat(found.matches()).isZero();
        assertThat(found.status()).as("C-FIND status from router A").isEqualTo(0x0124);
        Peers.Result find = RelayNetwork.tool("findscu", "-v", "-S", "-aet", RelayNetwork.WORKSTATION, "-aec", "STOREONLY_B",
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "127.0.0.1", portA());
        // DCMTK has no name for 0124 (Refused: Not Authorized, PS3.7 Annex C) in a C-FIND response
        assertThat(find.output()).as("findscu's view").contains("Received Final Find Response (Unknown Status: 0x124)");
        assertThat(net.logs.warnings("org.dicomrelay.router.RelayService", "refused find from WORKSTATION to STOREONLY_B",
                "not allowed by the routing table")).hasSizeGreaterThanOrEqualTo(2);
        // what the export allows goes through
        Path rt = Samples.file("test_files/rtplan.dcm");
        Peers.Result store = RelayNetwork.tool("storescu", "-aet", RelayNetwork.WORKSTATION, "-aec", "STOREONLY_B", "127.0.0.1", portA(), rt.toString());
        assertThat(store.exitCode()).as(store.output()).isZero();
        net.awaitDelivered(DataSets.sopInstanceUid(rt));
    }

    // ---- router B: the other router's routing table is not trusted -----------------------------

    /** Hospital X, enrolled and trusted, asks B directly for what B does not export: B answers 0124 and does nothing. */
    @Test void routerBRefusesWhatItDoesNotExportWhoeverAsks() throws Exception {
        RelayNetwork.EnrolledRouter x = net.extraRouters.get("hospital-x");
        BridgeClient client = RelayNetwork.client(x.credentials());
        BlockingQueue<LinkMessage.Answer> answers = new LinkedBlockingQueue<>();
        try (CloudCourier courier = net.courier(x.routerId(), x.keys(), net.directoryKeys(client), client)) {
            courier.start((from, message, payload) -> answers.add((LinkMessage.Answer) message));
            String find = UUID.randomUUID().toString();
            courier.send("hospital-b", new LinkMessage.FindRq(find, "STOREONLY_B", "INTRUDER", STUDY_ROOT_FIND,
                    "{\"00080052\":{\"vr\":\"CS\",\"Value\":[\"STUDY\"]}}"), null);
            LinkMessage.Answer findRsp = answers.poll(30, TimeUnit.SECONDS);
            assertThat(findRsp).isNotNull();
            assertThat(findRsp.operationId()).isEqualTo(find);
            assertThat(findRsp.status()).isEqualTo(0x0124);

            Path sample = Samples.file("test_files/CT_small.dcm");
            StorageSource src = StorageSource.probe(sample);
            String store = UUID.randomUUID().toString();
            courier.send("hospital-b", storeRq(store, "HIDDEN_B", src), out -> copyDataSet(src, out));
            LinkMessage.Answer storeRsp = answers.poll(30, TimeUnit.SECONDS);
            assertThat(storeRsp).isNotNull();
            assertThat(storeRsp.operationId()).isEqualTo(store);
            assertThat(storeRsp.status()).isEqualTo(0x0124);
            assertThat(RelayNetwork.storedByStorescp(net.pacsDir, src.sopInstanceUid())).as("stored at B's storescp").isEmpty();
        }
        assertThat(net.logs.warnings("org.dicomrelay.router.RemoteExecutor", "refused find from router hospital-x (INTRUDER) to STOREONLY_B",
                "not exported for that service")).hasSize(1);
        assertThat(net.logs.warnings("org.dicomrelay.router.RemoteExecutor", "refused store from router hospital-x (INTRUDER) to HIDDEN_B",
                "not exported for that service")).hasSize(1);
    }

    private static LinkMessage.StoreRq storeRq(String op, String calledAe, StorageSource src) {
        return new LinkMessage.StoreRq(op, calledAe, "INTRUDER", src.sopClassUid(), src.sopInstanceUid(), src.transferSyntax().uid());
    }

    private static void copyDataSet(StorageSource src, java.io.OutputStream out) throws java.io.IOException {
        try (InputStream in = src.openDataSet()) {
            in.transferTo(out);
        }
    }

    // ---- router B: only routers whose keys it holds -------------------------------------------

    /**
     * A message claiming to come from hospital-a but signed with other keys, posted through an
     * enrolled router's Bridge account: B cannot verify it and drops it unexecuted.
     */
    @Test void aFrameSignedWithKeysBDoesNotKnowIsRejectedNotExecuted() throws Exception {
        RelayNetwork.EnrolledRouter x = net.extraRouters.get("hospital-x");
        BridgeClient client = RelayNetwork.client(x.credentials());
        Map<String, PublicKeys> directory = net.directoryKeys(client);
        StorageSource src = StorageSource.probe(Samples.file("test_files/rtdose.dcm"));
        try (CloudCourier forged = net.courier("hospital-a", RouterKeys.generate(), directory, client);
             CloudCourier stranger = net.courier("hospital-z", RouterKeys.generate(), directory, client)) {
            forged.send("hospital-b", storeRq(UUID.randomUUID().toString(), net.pacsAe, src), out -> copyDataSet(src, out));
            stranger.send("hospital-b", storeRq(UUID.randomUUID().toString(), net.pacsAe, src), out -> copyDataSet(src, out));
        }
        await().atMost(Duration.ofSeconds(30)).until(() ->
                !net.logs.warnings(COURIER, "rejected a message in the inbox", "signature does not verify for sender hospital-a").isEmpty()
                        && !net.logs.warnings(COURIER, "rejected a message in the inbox", "unknown sender hospital-z").isEmpty());
        // dropped on arrival: nothing was handed to the executor, nothing reached the PACS
        assertThat(RelayNetwork.storedByStorescp(net.pacsDir, src.sopInstanceUid())).as("stored at B's storescp").isEmpty();
        assertThat(net.logs.lines()).noneMatch(l -> l.contains("org.dicomrelay.router.RemoteExecutor") && l.contains(src.sopInstanceUid()));
    }

    /**
     * Hospital Y is trusted (its echo is executed), then revoked at the Bridge: its own API key is
     * refused from then on, and once B has taken the directory again (it syncs every 10 s), a frame
     * sealed by Y that still reaches B's inbox (here through another router's account, as a cloud
     * queue Y can still write to would) is rejected unexecuted.
     */
    @Test void aFrameFromARouterRevokedAtTheBridgeIsRejectedByB() throws Exception {
        RelayNetwork.EnrolledRouter y = net.extraRouters.get("hospital-y");
        BridgeClient client = RelayNetwork.client(y.credentials());
        Map<String, PublicKeys> directory = net.directoryKeys(client);
        BlockingQueue<LinkMessage.Answer> answers = new LinkedBlockingQueue<>();
        try (CloudCourier courier = net.courier(y.routerId(), y.keys(), directory, client)) {
            courier.start((from, message, payload) -> answers.add((LinkMessage.Answer) message));
            courier.send("hospital-b", new LinkMessage.EchoRq(UUID.randomUUID().toString(), net.pacsAe, "Y_WORKSTATION"), null);
            LinkMessage.Answer echo = answers.poll(30, TimeUnit.SECONDS);
            assertThat(echo).as("B's answer to Y's echo while Y is enrolled").isNotNull();
            assertThat(echo.status()).isZero();

            net.revoke(y.routerId());
            assertThatThrownBy(() -> courier.send("hospital-b", new LinkMessage.EchoRq(UUID.randomUUID().toString(), net.pacsAe,
                    "Y_WORKSTATION"), null))
                    .as("the Bridge refuses a revoked router's notifications").isInstanceOf(java.io.IOException.class);
        }
        long revokedIn = RelayNetwork.client(RelayNetwork.credentials(net.configA)).directory().version();
        Path seen = net.configB.state().resolve("directory-version.json");
        await("router B takes the directory without hospital-y at its next sync").atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(200))
                .until(() -> new com.fasterxml.jackson.databind.ObjectMapper().readTree(seen.toFile()).get("version").asLong() >= revokedIn);

        BridgeClient otherAccount = RelayNetwork.client(RelayNetwork.credentials(net.configA));
        StorageSource src = StorageSource.probe(Samples.file("test_files/MR_small.dcm"));
        try (CloudCourier revoked = net.courier(y.routerId(), y.keys(), directory, otherAccount)) {
            revoked.send("hospital-b", storeRq(UUID.randomUUID().toString(), net.pacsAe, src), out -> copyDataSet(src, out));
        }
        await().atMost(Duration.ofSeconds(30)).until(() ->
                !net.logs.warnings(COURIER, "rejected a message in the inbox", "unknown sender hospital-y").isEmpty());
        assertThat(RelayNetwork.storedByStorescp(net.pacsDir, src.sopInstanceUid())).as("stored at B's storescp").isEmpty();
        assertThat(net.logs.lines()).noneMatch(l -> l.contains("org.dicomrelay.router.RemoteExecutor") && l.contains(src.sopInstanceUid()));
    }
}
