package org.dicomrelay.dicom.net.tls;

import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.AssociationException;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.AssociationRejectedException;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.pdu.AAssociateRj;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.dicom.net.service.Verification;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.dicomrelay.testkit.StoredFiles;
import org.dicomrelay.testkit.TestCertificates;
import org.dicomrelay.testkit.TestCertificates.Identity;
import org.dicomrelay.testkit.TestCertificates.KeyType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * DICOM TLS (PS3.15 Annex B, BCP 195 profiles) against DCMTK's TLS tools, which Debian builds
 * with OpenSSL: storescu/echoscu {@code +tls} to our acceptor, our requestor to storescp
 * {@code +tls}, each with a trusted and an untrusted certificate, a plain client on the TLS port,
 * and OpenSSL's s_client offering suites outside the profile.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class DicomTlsInteropTest {
    private static final Path CT = Samples.file("test_files/CT_small.dcm");

    private Path work;
    private TestCertificates ca;
    /** Signed by a CA nobody here trusts. */
    private TestCertificates stranger;
    private Identity ourServer, dcmtkClient, dcmtkServer, ourClient, strangerId;
    private DicomServer ours;
    private Path oursDir;
    private final List<String> serverLog = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override public void publish(LogRecord r) {
            serverLog.add(r.getMessage() + (r.getThrown() == null ? "" : " [stack trace]"));
        }
        @Override public void flush() {}
        @Override public void close() {}
    };

    @BeforeAll void start() throws Exception {
        work = Files.createTempDirectory("dicom-tls");
        ca = TestCertificates.create(work.resolve("ca"), "hospital-ca");
        stranger = TestCertificates.create(work.resolve("stranger"), "stranger-ca");
        ourServer = ca.issue("our-scp", KeyType.RSA);
        dcmtkClient = ca.issue("storescu", KeyType.EC);
        dcmtkServer = ca.issue("storescp", KeyType.EC);
        ourClient = ca.issue("our-scu", KeyType.EC);
        strangerId = stranger.issue("intruder", KeyType.EC);
        oursDir = work.resolve("ours");
        DicomTls tls = DicomTls.fromPem(ourServer.certificate(), ourServer.privateKey(), ca.caCertificate(), true);
        ours = DicomServer.start("OURSCP", new ApplicationEntity("OURSCP").accept(ApplicationEntity.ANY, ApplicationEntity.ANY),
                AssociationOptions.DEFAULT.withTls(tls), "127.0.0.1", 0, 4, new DimseServices().onStore(new FolderStorage(oursDir)));
        Logger.getLogger(DicomServer.class.getName()).addHandler(capture);
    }

    @AfterAll void stop() throws Exception {
        Logger.getLogger(DicomServer.class.getName()).removeHandler(capture);
        ours.close();
    }

    @BeforeEach void clearLog() {
        serverLog.clear();
    }

    private static String iuid(Path f) throws Exception {
        return StorageSource.probe(f).sopInstanceUid();
    }

    private List<String> storescu(Identity id, int port, Path file, String... extra) {
        List<String> cmd = new ArrayList<>(List.of("storescu"));
        if (id != null) cmd.addAll(List.of("+tls", id.privateKey().toString(), id.certificate().toString(), "+cf", ca.caCertificate().toString()));
        cmd.addAll(List.of(extra));
        cmd.addAll(List.of("-aet", "STORESCU", "-aec", "OURSCP", "127.0.0.1", String.valueOf(port), file.toString()));
        return cmd;
    }

    @Test void storescuOverTlsStoresIntoOurAcceptor() throws Exception {
        Path f = Samples.file("test_files/MR_small.dcm");
        Peers.Result r = Peers.run(storescu(dcmtkClient, ours.port(), f), Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(StoredFiles.byInstance(oursDir)).containsKey(iuid(f));
    }

    @Test void storescuWithTheOlderBcp195ProfileIsServedToo() throws Exception {
        // +px: DCMTK's BCP 195 profile rather than its non-downgrading default (+py, PS3.15 B.10); both offer TLS 1.2+ with ECDHE-GCM.
        Path f = Samples.file("test_files/rtplan.dcm");
        Peers.Result r = Peers.run(storescu(dcmtkClient, ours.port(), f, "+px"), Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(StoredFiles.byInstance(oursDir)).containsKey(iuid(f));
    }

    @Test void echoscuOverTlsIsAnswered() throws Exception {
        Peers.Result r = Peers.run(List.of("echoscu", "+tls", dcmtkClient.privateKey().toString(), dcmtkClient.certificate().toString(),
                "+cf", ca.caCertificate().toString(), "-aet", "ECHOSCU", "-aec", "OURSCP", "127.0.0.1", String.valueOf(ours.port())),
                Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @Test void aClientWithAnUntrustedCertificateIsRefusedAndNothingIsStored() throws Exception {
        Path f = Samples.file("test_files/rtdose.dcm");
        Peers.Result r = Peers.run(storescu(strangerId, ours.port(), f), Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isNotZero();
        assertThat(StoredFiles.byInstance(oursDir)).doesNotContainKey(iuid(f));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(serverLog)
                .anySatisfy(l -> assertThat(l).contains("TLS handshake with /127.0.0.1:").contains("failed: ").doesNotContain("[stack trace]")));
    }

    @Test void aPlainClientOnTheTlsPortIsRefusedCleanlyAndTheServerGoesOn() throws Exception {
        Path f = CT;
        Peers.Result r = Peers.run(storescu(null, ours.port(), f), Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isNotZero();
        assertThat(StoredFiles.byInstance(oursDir)).doesNotContainKey(iuid(f));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(serverLog)
                .anySatisfy(l -> assertThat(l).contains("TLS handshake with /127.0.0.1:").doesNotContain("[stack trace]")));
        assertThat(Peers.run(storescu(dcmtkClient, ours.port(), f), Duration.ofSeconds(60)).exitCode()).isZero();
    }

    @Test void ourRequestorWithoutACertificateIsRefusedWhenOneIsRequired() throws Exception {
        DicomTls anonymous = DicomTls.fromPem(null, null, ca.caCertificate(), false);
        assertThatThrownBy(() -> Verification.echo("127.0.0.1", ours.port(), "OURSCP", "OURSCU", AssociationOptions.DEFAULT.withTls(anonymous)))
                .isInstanceOf(AssociationException.class)
                // TLS 1.2 refuses in the handshake; TLS 1.3 once the client has finished its part: an alert, or only a closed connection
                .hasMessageMatching(".*TLS.*127\\.0\\.0\\.1:" + ours.port() + ".*(certificate|Broken pipe|reset).*");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(serverLog)
                .anySatisfy(l -> assertThat(l).contains("TLS handshake with /127.0.0.1:").contains("certificate")));
    }

    @Test void withoutRequiringAClientCertificateAnAnonymousRequestorIsServedButAnUntrustedOneIsNot() throws Exception {
        DicomTls optional = DicomTls.fromPem(ourServer.certificate(), ourServer.privateKey(), ca.caCertificate(), false);
        try (DicomServer lenient = DicomServer.start("LENIENT", new ApplicationEntity("LENIENT").accept(ApplicationEntity.ANY, ApplicationEntity.ANY),
                AssociationOptions.DEFAULT.withTls(optional), "127.0.0.1", 0, 4, new DimseServices())) {
            DicomTls anonymous = DicomTls.fromPem(null, null, ca.caCertificate(), false);
            assertThat(Verification.echo("127.0.0.1", lenient.port(), "LENIENT", "OURSCU", AssociationOptions.DEFAULT.withTls(anonymous))).isZero();
            // (Our own requestor would not even present a certificate the acceptor's CA list does not name; DCMTK does.)
            Peers.Result r = Peers.run(List.of("echoscu", "+tls", strangerId.privateKey().toString(), strangerId.certificate().toString(),
                    "+cf", ca.caCertificate().toString(), "-aet", "ECHOSCU", "-aec", "LENIENT", "127.0.0.1", String.valueOf(lenient.port())),
                    Duration.ofSeconds(60));
            assertThat(r.exitCode()).as(r.output()).isNotZero();
            Peers.Result ok = Peers.run(List.of("echoscu", "+tls", dcmtkClient.privateKey().toString(), dcmtkClient.certificate().toString(),
                    "+cf", ca.caCertificate().toString(), "-aet", "ECHOSCU", "-aec", "LENIENT", "127.0.0.1", String.valueOf(lenient.port())),
                    Duration.ofSeconds(60));
            assertThat(ok.exitCode()).as(ok.output()).isZero();
        }
    }

    /** The handshake has ARTIM as a whole: a client trickling its hello a byte at a time is cut off, not served forever. */
    @Test void aClientTricklingItsHelloIsCutOffAfterArtim() throws Exception {
        DicomTls tls = DicomTls.fromPem(ourServer.certificate(), ourServer.privateKey(), ca.caCertificate(), true);
        try (DicomServer quick = DicomServer.start("QUICK", new ApplicationEntity("QUICK").accept(ApplicationEntity.ANY, ApplicationEntity.ANY),
                AssociationOptions.DEFAULT.withTls(tls).withArtim(Duration.ofMillis(800)), "127.0.0.1", 0, 4, new DimseServices());
             Socket trickler = new Socket("127.0.0.1", quick.port())) {
            // A TLS handshake record (RFC 8446 §5.1) announcing a 512-byte ClientHello, then its body, a byte every 100 ms:
            // every read gets a byte well within the socket timeout, so only a deadline on the whole handshake ends it.
            byte[] header = {0x16, 0x03, 0x01, 0x02, 0x00};
            await().atMost(Duration.ofSeconds(5)).until(() -> quick.activeAssociations() == 1);
            java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
            long t0 = System.nanoTime();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
                int i = sent.getAndIncrement();
                try {
                    trickler.getOutputStream().write(i < header.length ? header[i] : 0);
                    trickler.getOutputStream().flush();
                } catch (java.io.IOException closedByServer) {
                    return true;
                }
                return quick.activeAssociations() == 0; // the handshake's thread has given up
            });
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("cut off near ARTIM, not after the trickle ends").isLessThan(Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(5)).until(() -> quick.activeAssociations() == 0);
        }
    }

    /** PS3.8 9.3.4: when every thread is busy, a TLS requestor is still told so (A-ASSOCIATE-RJ transient, local limit exceeded). */
    @Test void aFullTlsServerRejectsOverTls() throws Exception {
        DicomTls serverTls = DicomTls.fromPem(ourServer.certificate(), ourServer.privateKey(), ca.caCertificate(), true);
        DicomTls clientTls = DicomTls.fromPem(ourClient.certificate(), ourClient.privateKey(), ca.caCertificate(), false);
        AssociationOptions client = AssociationOptions.DEFAULT.withTls(clientTls);
        StorageSource src = StorageSource.probe(CT);
        try (DicomServer one = DicomServer.start("ONE", new ApplicationEntity("ONE").accept(ApplicationEntity.ANY, ApplicationEntity.ANY),
                AssociationOptions.DEFAULT.withTls(serverTls), "127.0.0.1", 0, 1, new DimseServices());
             StoreScu holding = StoreScu.open("127.0.0.1", one.port(), "ONE", "OURSCU",
                     List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), client)) {
            assertThat(one.activeAssociations()).isEqualTo(1);
            assertThatThrownBy(() -> Verification.echo("127.0.0.1", one.port(), "ONE", "OURSCU", client))
                    .isInstanceOfSatisfying(AssociationRejectedException.class, e -> {
                        assertThat(e.reject().result()).isEqualTo(AAssociateRj.RESULT_TRANSIENT);
                        assertThat(e.reject().reason()).isEqualTo(AAssociateRj.LOCAL_LIMIT_EXCEEDED);
                    });
        }
    }

    /** A client that connects and never says hello holds a thread for ARTIM at most (PS3.8 9.1.5, as before TLS). */
    @Test void aSilentClientOnTheTlsPortIsCutOffAfterArtim() throws Exception {
        DicomTls tls = DicomTls.fromPem(ourServer.certificate(), ourServer.privateKey(), ca.caCertificate(), true);
        try (DicomServer quick = DicomServer.start("QUICK", new ApplicationEntity("QUICK").accept(ApplicationEntity.ANY, ApplicationEntity.ANY),
                AssociationOptions.DEFAULT.withTls(tls).withArtim(Duration.ofMillis(500)), "127.0.0.1", 0, 4, new DimseServices());
             Socket silent = new Socket("127.0.0.1", quick.port())) {
            silent.setSoTimeout(10_000);
            long t0 = System.nanoTime();
            assertThat(silent.getInputStream().read()).as("the server closes the connection").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(5)).until(() -> quick.activeAssociations() == 0);
        }
    }

    /** PS3.15 B.12 (BCP 195: RFC 8996, RFC 9325 §4.2): no TLS 1.1, no RSA key exchange and no CBC suites in TLS 1.2; TLS 1.3 preferred. */
    @Test void suitesOutsideTheBcp195ProfileAreRefused() throws Exception {
        assertThat(sClient("-tls1_2", "-cipher", "AES128-GCM-SHA256")).as("static RSA key exchange").doesNotContain("Verification: OK");
        assertThat(sClient("-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA256")).as("CBC").doesNotContain("Verification: OK");
        assertThat(sClient("-tls1_1")).as("TLS 1.1 (RFC 8996)").doesNotContain("Verification: OK");
        assertThat(sClient("-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384")).as("in the profile").contains("Verification: OK");
        assertThat(sClient("-tls1_3")).as("TLS 1.3").contains("Verification: OK");
        assertThat(sClient()).as("a client offering both").contains("Protocol version: TLSv1.3");
    }

    /** openssl s_client against our acceptor with a trusted client certificate: its -brief summary. */
    private String sClient(String... options) throws Exception {
        String cmd = "openssl s_client -brief -connect 127.0.0.1:" + ours.port() + " -CAfile " + ca.caCertificate() + " -cert "
                + dcmtkClient.certificate() + " -key " + dcmtkClient.privateKey() + " " + String.join(" ", options) + " </dev/null";
        return Peers.run(List.of("sh", "-c", cmd), Duration.ofSeconds(30)).output();
    }

    // ---- our requestor to DCMTK's storescp +tls ------------------------------------------

    private Peers.Server storescp(Identity id, Path into) throws Exception {
        int port = Peers.freePort();
        return Peers.startServer(List.of("storescp", "+tls", id.privateKey().toString(), id.certificate().toString(),
                "+cf", ca.caCertificate().toString(), "-od", into.toString(), "-aet", "STORESCP", String.valueOf(port)), port, null, Map.of());
    }

    private void storeWith(DicomTls tls, int port) throws Exception {
        StorageSource src = StorageSource.probe(CT);
        try (StoreScu scu = StoreScu.open("127.0.0.1", port, "STORESCP", "OURSCU",
                List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), AssociationOptions.DEFAULT.withTls(tls))) {
            assertThat(scu.association().socket()).isInstanceOf(SSLSocket.class);
            assertThat(scu.association().socket().getTcpNoDelay()).as("TCP_NODELAY under TLS too").isTrue();
            assertThat(scu.store(src).status()).isZero();
        }
    }

    @Test void ourRequestorStoresIntoStorescpOverTls() throws Exception {
        Path into = Files.createDirectories(work.resolve("storescp-ok"));
        try (Peers.Server scp = storescp(dcmtkServer, into)) {
            storeWith(DicomTls.fromPem(ourClient.certificate(), ourClient.privateKey(), ca.caCertificate(), false), scp.port);
            await().atMost(Duration.ofSeconds(10)).until(() -> StoredFiles.byInstance(into).containsKey(iuid(CT)));
        }
    }

    @Test void aStorescpWithAnUntrustedCertificateIsRefusedByOurRequestor() throws Exception {
        Path into = Files.createDirectories(work.resolve("storescp-stranger"));
        try (Peers.Server scp = storescp(strangerId, into)) {
            DicomTls tls = DicomTls.fromPem(ourClient.certificate(), ourClient.privateKey(), ca.caCertificate(), false);
            assertThatThrownBy(() -> storeWith(tls, scp.port)).isInstanceOf(AssociationException.class)
                    .hasMessageContaining("TLS handshake with 127.0.0.1:" + scp.port + " failed");
            assertThat(StoredFiles.byInstance(into)).isEmpty();
        }
    }
}
