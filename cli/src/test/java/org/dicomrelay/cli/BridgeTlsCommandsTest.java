package org.dicomrelay.cli;

import org.dicomrelay.bridge.BridgeConfig;
import org.dicomrelay.bridge.BridgeServer;
import org.dicomrelay.router.config.RouterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** `dicom-relay bridge fingerprint` and `dicom-relay enroll --bridge-fingerprint` (issue 9, point 2). */
class BridgeTlsCommandsTest {
    @TempDir Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path bridgeYaml() throws Exception {
        Path yaml = dir.resolve("bridge.yaml");
        Files.writeString(yaml, "bind: 127.0.0.1\nport: 0\ndataDir: bridge-data\nadminToken: admin-token-0123456789\n");
        return yaml;
    }

    private Path routerYaml(String bridgeUrl) throws Exception {
        RouterConfig c = new RouterConfig("hospital-a", dir.resolve("state-a").toString(), "ROUTER_A", "127.0.0.1", 0, bridgeUrl,
                new RouterConfig.Cloud("filesystem", Map.of("root", dir.resolve("cloud").toString())), "spool", List.of());
        Path yaml = dir.resolve("router-a.yaml");
        c.save(yaml);
        return yaml;
    }

    @Test void fingerprintCommandPrintsTheCertificateTheBridgeServes() throws Exception {
        Path yaml = bridgeYaml();
        Run first = run("bridge", "fingerprint", "--config", yaml.toString());
        assertThat(first.code()).as(first.err()).isZero();
        String fingerprint = first.out().strip();
        assertThat(fingerprint).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        try (BridgeServer server = BridgeServer.start(BridgeConfig.load(yaml))) {
            assertThat(server.fingerprint()).contains(fingerprint);
        }
        assertThat(run("bridge", "fingerprint", "--config", yaml.toString()).out().strip()).isEqualTo(fingerprint);
    }

    @Test void enrollRefusesPlainHttpToAnotherHostBeforeCreatingOrSendingAnything() throws Exception {
        Path router = routerYaml("http://10.0.0.1:8470");
        Run r = run("enroll", "--config", router.toString(), "--bridge", "http://10.0.0.1:8470", "--token", "dre_x");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("refusing plain http to 10.0.0.1");
        assertThat(dir.resolve("state-a")).doesNotExist();
    }

    @Test void enrollRefusesABridgeWithAnotherCertificate() throws Exception {
        try (BridgeServer server = BridgeServer.start(BridgeConfig.load(bridgeYaml()))) {
            String wrong = "AB".repeat(32);
            Path router = routerYaml(server.url().toString());
            Run r = run("enroll", "--config", router.toString(), "--bridge", server.url().toString(), "--token", "dre_x",
                    "--bridge-fingerprint", wrong);
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("not the pinned one").contains(server.fingerprint().orElseThrow())
                    .contains("AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB");
            assertThat(dir.resolve("state-a").resolve("bridge-credentials.json")).doesNotExist();
        }
    }

    @Test void adminCommandsAndEnrollmentOverPinnedHttps() throws Exception {
        try (BridgeServer server = BridgeServer.start(BridgeConfig.load(bridgeYaml()))) {
            String url = server.url().toString(), fingerprint = server.fingerprint().orElseThrow();
            Path tokenFile = dir.resolve("admin-token");
            Files.writeString(tokenFile, "admin-token-0123456789\n");
            String[] admin = {"--bridge", url, "--bridge-fingerprint", fingerprint, "--admin-token-file", tokenFile.toString()};

            Run token = run(concat(new String[] {"bridge", "token", "create", "--router-id", "hospital-a", "--label", "for A's IT", "--ttl", "2h"}, admin));
            assertThat(token.code()).as(token.err()).isZero();
            String oneTime = token.out().lines().findFirst().orElseThrow();
            // issue 11: the exact command to paste at the router
            assertThat(token.out()).contains("./dicom-relay enroll --config router.yaml --bridge " + url + " --bridge-fingerprint " + fingerprint
                    + " --token " + oneTime);
            Run list = run(concat(new String[] {"bridge", "token", "list"}, admin));
            assertThat(list.code()).as(list.err()).isZero();
            assertThat(list.out()).contains("hospital-a").contains("for A's IT").doesNotContain(oneTime);
            Run spare = run(concat(new String[] {"bridge", "token", "create", "--router-id", "hospital-z"}, admin));
            String spareId = run(concat(new String[] {"bridge", "token", "list"}, admin)).out().lines()
                    .filter(l -> l.contains("hospital-z")).findFirst().orElseThrow().split("\\s+")[0];
            Run cancel = run(concat(new String[] {"bridge", "token", "cancel", spareId}, admin));
            assertThat(cancel.code()).as(cancel.err()).isZero();
            assertThat(run(concat(new String[] {"bridge", "token", "list"}, admin)).out()).doesNotContain("hospital-z");
            assertThat(spare.code()).isZero();
            Run enroll = run("enroll", "--config", routerYaml(url).toString(), "--bridge", url, "--bridge-fingerprint", fingerprint.replace(":", ""),
                    "--token", oneTime);
            assertThat(enroll.code()).as(enroll.err()).isZero();
            assertThat(enroll.out()).contains("certificate pinned");

            assertThat(run(concat(new String[] {"bridge", "routers"}, admin)).out()).containsPattern("hospital-a\\s+active");
            assertThat(run(concat(new String[] {"bridge", "revoke", "--router-id", "hospital-a"}, admin)).code()).isZero();
            assertThat(run(concat(new String[] {"bridge", "routers"}, admin)).out()).containsPattern("hospital-a\\s+revoked");

            // another certificate than the pinned one: refused, naming both
            String wrong = "CD".repeat(32);
            Run refused = run("bridge", "routers", "--bridge", url, "--bridge-fingerprint", wrong, "--admin-token-file", tokenFile.toString());
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.err()).contains(fingerprint).contains("CD:CD:CD");
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
