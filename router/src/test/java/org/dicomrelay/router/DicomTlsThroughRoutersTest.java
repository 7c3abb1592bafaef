package org.dicomrelay.router;

import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.DeviceTls;
import org.dicomrelay.router.config.ListenerTls;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.LocalHub;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.dicomrelay.testkit.StoredFiles;
import org.dicomrelay.testkit.TestCertificates;
import org.dicomrelay.testkit.TestCertificates.Identity;
import org.dicomrelay.testkit.TestCertificates.KeyType;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * DICOM TLS (PS3.15 Annex B) on both local sides of the relay, with DCMTK's TLS tools: a
 * modality's storescu {@code +tls} reaches router A's TLS listener, and router B delivers to a
 * storescp {@code +tls} that requires a client certificate (DCMTK's default, -rc). Router A keeps
 * its plain port beside the TLS one ({@code tls.port}). The two routers are joined in memory:
 * the relay between them has its own tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class DicomTlsThroughRoutersTest {
    private Path work;
    private TestCertificates ca;
    private Identity modality;
    private Router a, b;
    private Peers.Server pacs;
    private Path pacsDir;

    @BeforeAll void start() throws Exception {
        work = Files.createTempDirectory("relay-tls");
        ca = TestCertificates.create(work.resolve("pki"), "hospital-ca");
        Identity routerA = ca.issue("router-a", KeyType.RSA);
        Identity routerB = ca.issue("router-b", KeyType.EC);
        Identity pacsId = ca.issue("pacs-b", KeyType.EC);
        modality = ca.issue("modality", KeyType.EC);
        LocalHub hub = new LocalHub();

        pacsDir = Files.createDirectories(work.resolve("pacs-b"));
        int pacsPort = Peers.freePort();
        pacs = Peers.startServer(List.of("storescp", "+tls", pacsId.privateKey().toString(), pacsId.certificate().toString(),
                "+cf", ca.caCertificate().toString(), "-od", pacsDir.toString(), "-aet", "PACS_B", String.valueOf(pacsPort)), pacsPort, null, Map.of());
        DeviceTls toPacs = new DeviceTls(ca.caCertificate().toString(), routerB.certificate().toString(), routerB.privateKey().toString());
        RouterConfig configB = new RouterConfig("hospital-b", work.resolve("b").toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                List.of(new Device("PACS_B", "127.0.0.1", pacsPort, List.of("echo", "store"), List.of(), true, toPacs)));
        b = Router.start(configB, hub.courier("hospital-b"), new RoutingTable());

        RoutingTable routesA = new RoutingTable();
        routesA.replace(List.of(new RoutingTable.Route("PACS_B", "hospital-b", Set.of("echo", "store"))));
        RouterConfig configA = new RouterConfig("hospital-a", work.resolve("a").toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null,
                List.of(new Device("MODALITY", "127.0.0.1", 1, List.of(), List.of(), false)))
                .withTls(new ListenerTls(0, routerA.certificate().toString(), routerA.privateKey().toString(),
                        ca.caCertificate().toString(), true));
        a = Router.start(configA, hub.courier("hospital-a"), routesA);
    }

    @AfterAll void stop() throws Exception {
        if (a != null) a.close();
        if (b != null) b.close();
        if (pacs != null) pacs.close();
    }

    private Peers.Result dcmtk(String tool, Identity id, int port, String... rest) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(tool));
        if (id != null) cmd.addAll(List.of("+tls", id.privateKey().toString(), id.certificate().toString(), "+cf", ca.caCertificate().toString()));
        cmd.addAll(List.of("-aet", "MODALITY", "-aec", "PACS_B", "127.0.0.1", String.valueOf(port)));
        cmd.addAll(List.of(rest));
        return Peers.run(cmd, Duration.ofSeconds(60));
    }

    @Test void storescuOverTlsToRouterAReachesStorescpOverTlsAtB() throws Exception {
        Path f = Samples.file("test_files/CT_small.dcm");
        Peers.Result r = dcmtk("storescu", modality, a.tlsPort(), f.toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        String iuid = StorageSource.probe(f).sopInstanceUid();
        await().atMost(Duration.ofSeconds(60)).until(() -> StoredFiles.byInstance(pacsDir).containsKey(iuid));
    }

    @Test void echoscuOverTlsIsAnsweredByTheTlsDeviceAtB() throws Exception {
        Peers.Result r = dcmtk("echoscu", modality, a.tlsPort());
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @Test void thePlainPortStaysBesideTheTlsPort() throws Exception {
        assertThat(a.tlsPort()).isPositive().isNotEqualTo(a.port());
        Peers.Result r = dcmtk("echoscu", null, a.port());
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @Test void aModalityWithoutTlsIsRefusedOnTheTlsPort() throws Exception {
        Peers.Result r = dcmtk("echoscu", null, a.tlsPort());
        assertThat(r.exitCode()).as(r.output()).isNotZero();
    }
}
