package org.dicomrelay.cli;

import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.tls.DicomTls;
import org.dicomrelay.testkit.Samples;
import org.dicomrelay.testkit.StoredFiles;
import org.dicomrelay.testkit.TestCertificates;
import org.dicomrelay.testkit.TestCertificates.Identity;
import org.dicomrelay.testkit.TestCertificates.KeyType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The network tools over DICOM TLS (--tls-trusted, --tls-cert, --tls-key), against a TLS acceptor that requires a client certificate. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class TlsToolsTest {
    private Path work;
    private TestCertificates ca;
    private Identity tool;
    private DicomServer server;
    private Path stored;

    @BeforeAll void start() throws Exception {
        work = Files.createTempDirectory("tls-tools");
        ca = TestCertificates.create(work.resolve("pki"), "ca");
        Identity scp = ca.issue("scp", KeyType.EC);
        tool = ca.issue("tool", KeyType.RSA);
        stored = work.resolve("stored");
        server = DicomServer.start("STORE", new ApplicationEntity("STORE").accept(ApplicationEntity.ANY, ApplicationEntity.ANY),
                AssociationOptions.DEFAULT.withTls(DicomTls.fromPem(scp.certificate(), scp.privateKey(), ca.caCertificate(), true)),
                "127.0.0.1", 0, 4, new DimseServices().onStore(new FolderStorage(stored)));
    }

    @AfterAll void stop() {
        server.close();
    }

    private String peer() { return "STORE@127.0.0.1:" + server.port(); }

    @Test void echoAndStoreOverTls() throws Exception {
        NetworkToolsTest.Run echo = NetworkToolsTest.run("echo", "-c", peer(), "--tls-trusted", ca.caCertificate().toString(),
                "--tls-cert", tool.certificate().toString(), "--tls-key", tool.privateKey().toString());
        assertThat(echo.code()).as(echo.err()).isZero();
        Path f = Samples.file("test_files/CT_small.dcm");
        NetworkToolsTest.Run store = NetworkToolsTest.run("store", "-c", peer(), "--tls-trusted", ca.caCertificate().toString(),
                "--tls-cert", tool.certificate().toString(), "--tls-key", tool.privateKey().toString(), f.toString());
        assertThat(store.code()).as(store.err()).isZero();
        assertThat(StoredFiles.byInstance(stored)).hasSize(1);
    }

    @Test void withoutOurCertificateTheAcceptorRefusesAndTheToolSaysTls() {
        NetworkToolsTest.Run r = NetworkToolsTest.run("echo", "-c", peer(), "--tls-trusted", ca.caCertificate().toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("TLS");
    }

    @Test void plainToTheTlsPortFails() {
        NetworkToolsTest.Run r = NetworkToolsTest.run("echo", "-c", peer());
        assertThat(r.code()).isNotZero();
    }
}
