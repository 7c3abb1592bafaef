package org.dicomrelay.router;

import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.LocalHub;
import org.dicomrelay.testkit.Dcmqrscp;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay's logic with DCMTK tools on both ends and two routers joined in memory (no cloud,
 * no crypto: those have their own tests): a workstation at A reaches dcmqrscp at B.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class RelayLogicTest {
    private static final List<String> ALL = List.of("echo", "store", "find", "move", "get");
    private Path work;
    private Dcmqrscp pacs;
    private Router a, b;
    private DicomServer wsDest;
    private Path wsDir;

    @BeforeAll void start() throws Exception {
        work = Files.createTempDirectory("relay");
        LocalHub hub = new LocalHub();
        wsDir = work.resolve("ws-received");
        wsDest = DicomServer.start(new ApplicationEntity("WS_DEST").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onStore(new FolderStorage(wsDir)));
        int pacsPort = Peers.freePort();
        RouterConfig cb = new RouterConfig("hospital-b", work.resolve("b").toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                List.of(new Device("QRSCP", "127.0.0.1", pacsPort, ALL, List.of(), true)));
        b = Router.start(cb, hub.courier("hospital-b"), new RoutingTable());
        pacs = Dcmqrscp.start(work, List.of("test_files/CT_small.dcm", "test_files/MR_small.dcm"), Map.of("ROUTER_B", b.port()), pacsPort);
        RoutingTable routesA = new RoutingTable();
        routesA.replace(List.of(new RoutingTable.Route("QRSCP", "hospital-b", Set.copyOf(ALL))));
        RouterConfig ca = new RouterConfig("hospital-a", work.resolve("a").toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null,
                List.of(new Device("WORKSTATION", "127.0.0.1", 1, List.of(), List.of(), false),
                        new Device("WS_DEST", "127.0.0.1", wsDest.port(), List.of("store"), List.of(), false)));
        a = Router.start(ca, hub.courier("hospital-a"), routesA);
    }

    @AfterAll void stop() throws Exception {
        a.close();
        b.close();
        pacs.close();
        wsDest.close();
    }

    private Peers.Result run(String... cmd) throws Exception {
        return Peers.run(List.of(cmd), Duration.ofSeconds(60));
    }

    private String portA() { return String.valueOf(a.port()); }

    @Test void echoscuAtAVerifiesTheDeviceAtB() throws Exception {
        Peers.Result r = run("echoscu", "-aet", "WORKSTATION", "-aec", "QRSCP", "127.0.0.1", portA());
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @Test void anAeNotInTheRoutingTableIsRejected() throws Exception {
        Peers.Result r = run("echoscu", "-aet", "WORKSTATION", "-aec", "NOSUCHAE", "127.0.0.1", portA());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).containsIgnoringCase("Called AE Title Not Recognized");
    }

    @Test void aCallingAeNotInTheLocalTableIsRejected() throws Exception {
        Peers.Result r = run("echoscu", "-aet", "INTRUDER", "-aec", "QRSCP", "127.0.0.1", portA());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).containsIgnoringCase("Calling AE Title Not Recognized");
    }

    @Test void findscuAtAQueriesThePacsAtB() throws Exception {
        Peers.Result r = run("findscu", "-S", "-aet", "WORKSTATION", "-aec", "QRSCP", "-k", "QueryRetrieveLevel=STUDY", "-k", "PatientName=*",
                "-k", "StudyInstanceUID", "127.0.0.1", portA());
        assertThat(r.exitCode()).as(r.output()).isZero();
        String ct = DicomFile.read(Samples.file("test_files/CT_small.dcm")).dataSet().getString(0x0020000D);
        assertThat(r.output()).contains(ct);
    }

    @Test void storescuAtAStoresIntoThePacsAtB() throws Exception {
        Path f = Samples.file("test_files/rtplan.dcm");
        Peers.Result r = run("storescu", "-aet", "WORKSTATION", "-aec", "QRSCP", "127.0.0.1", portA(), f.toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        String iuid = DicomFile.read(f).dataSet().getString(0x00080018);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Peers.Result q = run("findscu", "-S", "-aet", "ANY", "-aec", "QRSCP", "-k", "QueryRetrieveLevel=IMAGE",
                    "-k", "StudyInstanceUID=" + DicomFile.read(f).dataSet().getString(0x0020000D),
                    "-k", "SeriesInstanceUID=" + DicomFile.read(f).dataSet().getString(0x0020000E), "-k", "SOPInstanceUID",
                    "127.0.0.1", String.valueOf(pacs.port()));
            assertThat(q.output()).contains(iuid);
        });
    }

    @Test void movescuAtARetrievesIntoALocalDestination() throws Exception {
        String study = DicomFile.read(Samples.file("test_files/CT_small.dcm")).dataSet().getString(0x0020000D);
        Peers.Result r = run("movescu", "-S", "-aet", "WORKSTATION", "-aec", "QRSCP", "-aem", "WS_DEST", "-k", "QueryRetrieveLevel=STUDY",
                "-k", "StudyInstanceUID=" + study, "127.0.0.1", portA());
        assertThat(r.exitCode()).as(r.output()).isZero();
        String iuid = DicomFile.read(Samples.file("test_files/CT_small.dcm")).dataSet().getString(0x00080018);
        assertThat(wsDir.resolve(iuid + ".dcm")).exists();
        // The console's Transfers: the sub-operation counts of the responses (PS3.4 §C.4.2.1.4), the total known from them.
        retrievedOne("C-MOVE-RQ");
    }

    private void retrievedOne(String operation) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(a.transfers().list()).anySatisfy(t -> {
            assertThat(t.operations()).contains(operation);
            assertThat(t.state()).isEqualTo("completed");
            assertThat(t.subOperations()).isEqualTo(new Transfers.SubOperations(0, 1, 0, 0));
            assertThat(t.instances()).isEqualTo(1);
            assertThat(t.totalInstances()).isEqualTo(1);
            assertThat(t.remoteRouter()).isEqualTo("hospital-b");
            assertThat(t.errors()).isZero();
        }));
    }

    @Test void movescuToAnUnknownDestinationGetsA801() throws Exception {
        Peers.Result r = run("movescu", "-S", "-aet", "WORKSTATION", "-aec", "QRSCP", "-aem", "NOWHERE", "-k", "QueryRetrieveLevel=STUDY",
                "-k", "PatientName=*", "127.0.0.1", portA());
        assertThat(r.output()).contains("MoveDestinationUnknown");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(a.transfers().list()).anySatisfy(t -> {
            assertThat(t.operations()).contains("C-MOVE-RQ");
            assertThat(t.state()).isEqualTo("failed");
            assertThat(t.errors()).isEqualTo(1);
            assertThat(t.lastError()).startsWith("A801H move destination NOWHERE");
        }));
    }

    @Test void getscuAtAReceivesOnItsOwnAssociation() throws Exception {
        String study = DicomFile.read(Samples.file("test_files/MR_small.dcm")).dataSet().getString(0x0020000D);
        Path into = Files.createDirectories(work.resolve("getscu"));
        Peers.Result r = run("getscu", "-S", "-aet", "WORKSTATION", "-aec", "QRSCP", "-od", into.toString(), "-k", "QueryRetrieveLevel=STUDY",
                "-k", "StudyInstanceUID=" + study, "127.0.0.1", portA());
        assertThat(r.exitCode()).as(r.output()).isZero();
        try (Stream<Path> s = Files.list(into)) {
            assertThat(s.count()).isEqualTo(1);
        }
        retrievedOne("C-GET-RQ");
    }
}
