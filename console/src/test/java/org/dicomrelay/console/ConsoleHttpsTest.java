package org.dicomrelay.console;

import org.dicomrelay.dicom.net.tls.Pem;
import org.dicomrelay.testkit.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The console over HTTPS: only HTTPS is served, and the session cookie is Secure (RFC 6265 §4.1.2.5). */
class ConsoleHttpsTest {
    @TempDir Path dir;

    @Test void overHttpsTheSessionCookieIsSecure() throws Exception {
        TestCertificates ca = TestCertificates.create(dir.resolve("pki"), "console-ca");
        TestCertificates.Identity id = ca.issue("console", TestCertificates.KeyType.EC);
        Accounts accounts = Accounts.in(dir);
        accounts.create("admin", Role.ADMIN, "admin-password".toCharArray());
        try (ConsoleServer server = ConsoleServer.start(new ConsoleServer.Settings("test", "127.0.0.1", 0, dir, "console.css",
                ConsoleTls.fromPem(id.certificate(), id.privateKey())), accounts, Clock.systemUTC(), api -> {})) {
            assertThat(server.url("127.0.0.1").getScheme()).isEqualTo("https");
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("ca", Pem.certificates(ca.caCertificate()).get(0));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, tmf.getTrustManagers(), null);
            // the test certificate names no host (DICOM-style): check its chain, not its name
            javax.net.ssl.HttpsURLConnection c = (javax.net.ssl.HttpsURLConnection) server.url("127.0.0.1").resolve("/api/session").toURL()
                    .openConnection();
            c.setSSLSocketFactory(client.getSocketFactory());
            c.setHostnameVerifier((host, session) -> true);
            c.setRequestMethod("POST");
            c.setRequestProperty("Content-Type", "application/json");
            c.setDoOutput(true);
            c.getOutputStream().write("{\"user\":\"admin\",\"password\":\"admin-password\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(c.getResponseCode()).isEqualTo(200);
            assertThat(c.getHeaderField("Set-Cookie")).containsIgnoringCase("Secure").containsIgnoringCase("HttpOnly")
                    .containsIgnoringCase("SameSite=Strict");
            c.disconnect();
            HttpClient plain = HttpClient.newHttpClient();
            assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
        }
    }

    @Test void aKeyOthersMayReadIsRefused() throws Exception {
        TestCertificates ca = TestCertificates.create(dir.resolve("pki"), "console-ca");
        TestCertificates.Identity id = ca.issue("console", TestCertificates.KeyType.EC);
        Files.setPosixFilePermissions(id.privateKey(), PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> ConsoleTls.fromPem(id.certificate(), id.privateKey())).hasMessageContaining("may be read by others");
    }
}
