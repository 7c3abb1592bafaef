package org.dicomrelay.it;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.it.RelayNetwork.FindResult;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.CloudCourier;
import org.dicomrelay.router.link.Failure;
import org.dicomrelay.router.link.LinkMessage;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 9, point 4 end to end: the Bridge's access matrix, enforced by router B against the
 * authenticated sending router (the envelope's signed sender) for every request, and reflected
 * in router A's routing table. Hospital B exports ARCHIVE_B (our archive, every service) and
 * OTHER_B (every service); the matrix grants hospital-a echo and find of ARCHIVE_B, hospital-d
 * (driven by the test) find of ARCHIVE_B, and hospital-c (enrolled, trusted keys) nothing. Refusals are 0124 (Refused: Not authorized,
 * PS3.7 Annex C), transient (the routers' views of the matrix may differ for a sync period), with a
 * WARNING naming the router, the AE and the service.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class AccessMatrixTest {
    private static final String STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1";
    private static final String STUDY_ROOT_MOVE = "1.2.840.10008.5.1.4.1.2.2.2";
    private static final String EXECUTOR = "org.dicomrelay.router.RemoteExecutor";
    private static final String CT = "test_files/CT_small.dcm";
    private RelayNetwork net;

    @BeforeAll void start() throws Exception {
        net = RelayNetwork.with(RelayNetwork.Pacs.ARCHIVE).archiveFiles(List.of(Samples.file(CT)))
                .deviceB("OTHER_B", RelayNetwork.ALL, true)
                .extraRouter("hospital-c")
                .extraRouter("hospital-d")
                .grant("hospital-a", "ARCHIVE_B", "echo", "find")
                .grant("hospital-d", "ARCHIVE_B", "find")
                .recordCloud()
                .start();
    }

    @AfterAll void stop() {
        if (net != null) net.close();
    }

    /** The finding: "an unrelated enrolled router ran a universal C-FIND on B's archive and got names and IDs". */
    @Test void anUnrelatedRoutersCFindGets0124AndALogLineWhileThePermittedOneWorks() throws Exception {
        assertThat(findThroughA()).as("hospital-a's C-FIND (granted) through router A").isEqualTo(new FindResult(0x0000, 1));

        RelayNetwork.EnrolledRouter c = net.extraRouters.get("hospital-c");
        BridgeClient client = RelayNetwork.client(c.credentials());
        BlockingQueue<LinkMessage.Answer> answers = new LinkedBlockingQueue<>();
        try (CloudCourier courier = net.courier(c.routerId(), c.keys(), net.directoryKeys(client), client)) {
            courier.start((from, message, payload) -> answers.add((LinkMessage.Answer) message));
            LinkMessage.Answer rsp = ask(courier, answers, findRq("HOSPITAL_C_WS"));
            assertThat(rsp).isInstanceOf(LinkMessage.FindRsp.class);
            assertThat(rsp.status()).isEqualTo(0x0124);
            assertThat(rsp.failure()).isEqualTo(Failure.TRANSIENT);
            assertThat(rsp.error()).contains("router hospital-c is not authorized for find on ARCHIVE_B");
            assertThat(((LinkMessage.FindRsp) rsp).identifier()).as("no match, no identifier").isNull();

            // a C-STORE from it is refused too, and nothing reaches the archive
            long before = net.archiveIndex.size();
            StorageSource src = StorageSource.probe(Samples.file("test_files/MR_small.dcm"));
            LinkMessage.Answer store = ask(courier, answers, new LinkMessage.StoreRq(UUID.randomUUID().toString(), net.pacsAe,
                    "HOSPITAL_C_WS", src.sopClassUid(), src.sopInstanceUid(), src.transferSyntax().uid()), src);
            assertThat(store.status()).isEqualTo(0x0124);
            assertThat(net.archiveIndex.size()).as("instances in the archive").isEqualTo(before);
        }
        assertThat(net.logs.warnings(EXECUTOR, "refused find from router hospital-c (HOSPITAL_C_WS) to ARCHIVE_B",
                "router hospital-c is not granted find on ARCHIVE_B")).hasSize(1);
        assertThat(net.logs.warnings(EXECUTOR, "refused store from router hospital-c", "not granted store on ARCHIVE_B")).hasSize(1);
    }

    /** Service level: find granted, move not. Router A refuses the C-MOVE itself (0124, nothing sent); B refuses it whoever sends it. */
    @Test void findIsGrantedMoveIsRefusedAtBothRouters() throws Exception {
        int published = net.recording.notifications.size();
        Peers.Result move = RelayNetwork.tool("movescu", "-v", "-S", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "-aem", RelayNetwork.DEST_A,
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + DataSets.studyUid(Samples.file(CT)), "127.0.0.1",
                String.valueOf(net.portA()));
        assertThat(move.output()).as("movescu's view").containsIgnoringCase("0x124");
        assertThat(net.logs.warnings("org.dicomrelay.router.RelayService", "refused move from WORKSTATION to ARCHIVE_B",
                "not allowed by the routing table")).isNotEmpty();
        assertThat(net.recording.notifications).as("notifications router A published for the refused C-MOVE").hasSize(published);

        // Router B does not rely on the requester's table: hospital-d, granted find only, sends MOVE_RQ itself.
        RelayNetwork.EnrolledRouter d = net.extraRouters.get("hospital-d");
        BridgeClient client = RelayNetwork.client(d.credentials());
        BlockingQueue<LinkMessage.Answer> answers = new LinkedBlockingQueue<>();
        try (CloudCourier courier = net.courier(d.routerId(), d.keys(), net.directoryKeys(client), client)) {
            courier.start((from, message, payload) -> answers.add((LinkMessage.Answer) message));
            LinkMessage.Answer found = ask(courier, answers, findRq("HOSPITAL_D_WS"));
            assertThat(found.status()).as("hospital-d's granted C-FIND: its first answer, a match").isEqualTo(0xFF00);
            answers.clear();
            LinkMessage.Answer rsp = ask(courier, answers, new LinkMessage.MoveRq(UUID.randomUUID().toString(), net.pacsAe,
                    "HOSPITAL_D_WS", STUDY_ROOT_MOVE, "{\"00080052\":{\"vr\":\"CS\",\"Value\":[\"STUDY\"]}}"));
            assertThat(rsp).isInstanceOf(LinkMessage.MoveRsp.class);
            assertThat(rsp.status()).isEqualTo(0x0124);
            assertThat(rsp.failure()).isEqualTo(Failure.TRANSIENT);
        }
        assertThat(net.logs.warnings(EXECUTOR, "refused move from router hospital-d", "not granted move on ARCHIVE_B")).hasSize(1);
    }

    @Test void routerAsTableHoldsOnlyWhatIsGranted() throws Exception {
        assertThat(net.a.routes().all()).extracting(RoutingTable.Route::aeTitle).containsExactly("ARCHIVE_B");
        assertThat(net.a.routes().route("ARCHIVE_B")).get().extracting(RoutingTable.Route::services)
                .isEqualTo(java.util.Set.of("echo", "find"));
        Peers.Result echo = RelayNetwork.tool("echoscu", "-aet", RelayNetwork.WORKSTATION, "-aec", "OTHER_B", "127.0.0.1", String.valueOf(net.portA()));
        assertThat(echo.exitCode()).isNotZero();
        assertThat(echo.output()).containsIgnoringCase("Called AE Title Not Recognized");
        assertThat(net.configA.state().resolve("routes.json")).content().doesNotContain("OTHER_B");
    }

    /** A grant takes effect at the routers' next directory sync (every 10 s), and a revocation too. */
    @Test void aGrantAndItsRevocationReachBothRouters() throws Exception {
        net.grant("hospital-a", "OTHER_B", List.of("echo"));
        await("router A routes OTHER_B").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> net.a.routes().route("OTHER_B").isPresent());
        await("router B knows the grant").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> java.nio.file.Files.readString(net.configB.state().resolve("access.json")).contains("OTHER_B"));
        Peers.Result echo = RelayNetwork.tool("echoscu", "-aet", RelayNetwork.WORKSTATION, "-aec", "OTHER_B", "127.0.0.1", String.valueOf(net.portA()));
        assertThat(echo.exitCode()).as(echo.output()).isZero();

        assertThat(net.admin("DELETE", "/api/admin/access?routerId=hospital-a&aeTitle=OTHER_B", null).statusCode()).isEqualTo(200);
        await("router A drops OTHER_B").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> net.a.routes().route("OTHER_B").isEmpty());
    }

    /** A Study Root C-FIND at router A for the preloaded study. */
    private FindResult findThroughA() throws Exception {
        Attributes keys = new Attributes();
        keys.setString(0x00080052, VR.CS, "STUDY");
        keys.setString(0x0020000D, VR.UI, DataSets.studyUid(Samples.file(CT)));
        keys.setString(0x00100010, VR.PN, "");
        return net.findThroughA(net.pacsAe, keys);
    }

    private static LinkMessage.FindRq findRq(String callingAe) {
        // a universal query: every patient's name and ID, what the finding got
        return new LinkMessage.FindRq(UUID.randomUUID().toString(), "ARCHIVE_B", callingAe, STUDY_ROOT_FIND,
                "{\"00080052\":{\"vr\":\"CS\",\"Value\":[\"STUDY\"]},\"00100010\":{\"vr\":\"PN\"},\"00100020\":{\"vr\":\"LO\"}}");
    }

    private static LinkMessage.Answer ask(CloudCourier courier, BlockingQueue<LinkMessage.Answer> answers, LinkMessage.Request rq) throws Exception {
        return ask(courier, answers, rq, null);
    }

    /** Sends a request as the courier's router and returns router B's final answer to it. */
    private static LinkMessage.Answer ask(CloudCourier courier, BlockingQueue<LinkMessage.Answer> answers, LinkMessage.Request rq, StorageSource payload) throws Exception {
        courier.send("hospital-b", rq, payload == null ? null : out -> {
            try (InputStream in = payload.openDataSet()) {
                in.transferTo(out);
            }
        });
        LinkMessage.Answer rsp;
        do {
            rsp = answers.poll(30, TimeUnit.SECONDS);
            assertThat(rsp).as("router B's answer to " + rq.type()).isNotNull();
        } while (!rsp.operationId().equals(rq.operationId()));
        return rsp;
    }
}
