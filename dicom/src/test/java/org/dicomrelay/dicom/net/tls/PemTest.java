package org.dicomrelay.dicom.net.tls;

import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.TestCertificates;
import org.dicomrelay.testkit.TestCertificates.Identity;
import org.dicomrelay.testkit.TestCertificates.KeyType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PEM files as the openssl command writes them (RFC 7468): what {@link Pem} reads, and the clear refusals of what it does not. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PemTest {
    private Path dir;
    private TestCertificates ca;
    private Identity ec, rsa;

    @BeforeAll void files() throws Exception {
        dir = Files.createTempDirectory("pem");
        ca = TestCertificates.create(dir, "ca");
        ec = ca.issue("ec", KeyType.EC);
        rsa = ca.issue("rsa", KeyType.RSA);
    }

    private Path openssl(String out, String... args) throws Exception {
        Path p = dir.resolve(out);
        Peers.Result r = Peers.run(List.of(args), Duration.ofSeconds(30));
        assertThat(r.exitCode()).as(r.output()).isZero();
        return p;
    }

    @Test void pkcs8KeysOfBothAlgorithms() throws Exception {
        assertThat(Pem.privateKey(ec.privateKey()).getAlgorithm()).isEqualTo("EC");
        assertThat(Pem.privateKey(rsa.privateKey()).getAlgorithm()).isEqualTo("RSA");
    }

    @Test void aBundleWithTextAroundTheBlocksGivesEveryCertificateInOrder() throws Exception {
        Path text = openssl("ec-text.pem", "openssl", "x509", "-in", ec.certificate().toString(), "-text", "-out", dir.resolve("ec-text.pem").toString());
        Path bundle = dir.resolve("bundle.pem");
        Files.writeString(bundle, Files.readString(text) + "\n# the CA\n" + Files.readString(ca.caCertificate()));
        var certs = Pem.certificates(bundle);
        assertThat(certs).hasSize(2);
        assertThat(certs.get(0).getSubjectX500Principal().getName()).isEqualTo("CN=ec");
        assertThat(certs.get(1).getSubjectX500Principal().getName()).isEqualTo("CN=ca");
    }

    @Test void theTraditionalKeyFormatIsRefusedWithTheCommandThatConverts() throws Exception {
        Path old = openssl("old.key", "openssl", "pkey", "-in", ec.privateKey().toString(), "-traditional", "-out", dir.resolve("old.key").toString());
        assertThatThrownBy(() -> Pem.privateKey(old)).isInstanceOf(IOException.class)
                .hasMessageContaining("EC PRIVATE KEY").hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }

    @Test void anEncryptedKeyIsRefused() throws Exception {
        Path enc = openssl("enc.key", "openssl", "pkcs8", "-topk8", "-in", rsa.privateKey().toString(), "-passout", "pass:secret",
                "-out", dir.resolve("enc.key").toString());
        assertThatThrownBy(() -> Pem.privateKey(enc)).isInstanceOf(IOException.class).hasMessageContaining("encrypted");
    }

    @Test void aCertificateGivenAsKeyAndAKeyGivenAsCertificateAreNamed() throws Exception {
        assertThatThrownBy(() -> Pem.privateKey(ec.certificate())).hasMessageContaining(ec.certificate() + ": no PEM private key");
        assertThatThrownBy(() -> Pem.certificates(ec.privateKey())).hasMessageContaining(ec.privateKey() + ": no PEM certificate");
        assertThatThrownBy(() -> Pem.certificates(dir.resolve("absent.pem"))).hasMessageContaining("absent.pem: no such file");
    }
}
