package org.dicomrelay.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.dicomrelay.relay.tls.BridgeHttp;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The network as deployed, every piece its own OS process started from the shaded jar with the
 * documented commands and YAML files: {@code bridge --config}, {@code enroll} for each router with
 * a token from the admin API, {@code router --config} for each; then DCMTK storescu at A stores
 * through both routers into storescp +B at B, byte for byte.
 */
@Timeout(180)
class SeparateProcessesTest {
    private static final Pattern LISTENING = Pattern.compile("listening on (?:https?://)?[0-9.]+:(\\d+)");
    private static final Pattern FINGERPRINT = Pattern.compile("TLS certificate SHA-256 fingerprint: ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})");
    private final List<Started> processes = new ArrayList<>();
    private Path work;
    private Peers.Server storescp;

    /** A child process with its output (stdout and stderr) collected line by line. */
    record Started(String name, Process process, List<String> lines) {
        String output() {
            return String.join("\n", lines);
        }
    }

    @AfterEach void stopEverything() throws Exception {
        // routers first, then the Bridge: SIGTERM, their shutdown hooks close them
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i).process();
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        if (storescp != null) storescp.close();
        RelayNetwork.deleteTree(work);
    }

    private Path jar() {
        Path jar = Path.of(System.getProperty("project.root", "..")).resolve("cli/target/dicom-relay.jar").toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isRegularFile(jar), "the shaded jar " + jar + " is missing: build it first (mvn -pl cli -am package)"
                + " and run with -Dproject.root=<repository>");
        return jar;
    }

    private Started launch(String name, Path jar, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) lines.add(line);
            } catch (IOException ended) {
                // the process is gone
            }
        }, "output-" + name);
        reader.setDaemon(true);
        reader.start();
        Started s = new Started(name, p, lines);
        processes.add(s);
        return s;
    }

    /** Waits for the "... listening on host:port" line and returns the port. */
    private static int awaitListening(Started s) {
        String line = await(s.name() + " listening").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    if (!s.process().isAlive()) throw new AssertionError(s.name() + " exited with " + s.process().exitValue() + ":\n" + s.output());
                    return s.lines().stream().filter(l -> LISTENING.matcher(l).find()).findFirst().orElse(null);
                }, l -> l != null);
        Matcher m = LISTENING.matcher(line);
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static void runToCompletion(Started s) throws InterruptedException {
        assertThat(s.process().waitFor(60, TimeUnit.SECONDS)).as(s.name() + " finished").isTrue();
        assertThat(s.process().exitValue()).as(s.name() + ":\n" + s.output()).isZero();
    }

    private static String token(URI bridge, String fingerprint, String admin, String routerId) throws Exception {
        ObjectMapper json = new ObjectMapper();
        HttpResponse<String> r = BridgeHttp.newClient(bridge, fingerprint, null, Duration.ofSeconds(10)).send(HttpRequest.newBuilder(bridge.resolve("/api/admin/enrollment-tokens"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("routerId", routerId)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json.readTree(r.body()).get("token").asText();
    }

    @Test void storescuAtAReachesStorescpAtBThroughRoutersAndBridgeInTheirOwnProcesses() throws Exception {
        Path jar = jar();
        work = Files.createTempDirectory("relay-it-processes");
        Path cloud = Files.createDirectories(work.resolve("cloud"));
        String admin = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        Path bridgeYaml = work.resolve("bridge.yaml");
        Files.writeString(bridgeYaml, "bind: 127.0.0.1\nport: 0\ndataDir: bridge-data\nadminToken: " + admin + "\n");
        Started bridge = launch("bridge", jar, "bridge", "--config", bridgeYaml.toString());
        // HTTPS with the certificate the Bridge creates at first start; the routers pin the fingerprint it prints
        URI bridgeUrl = URI.create("https://127.0.0.1:" + awaitListening(bridge));
        String fingerprint = await("the Bridge's fingerprint").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> bridge.lines().stream().map(FINGERPRINT::matcher).filter(Matcher::find).map(m -> m.group(1)).findFirst().orElse(null),
                        f -> f != null);

        Path pacsDir = Files.createDirectories(work.resolve("pacs-b"));
        int pacsPort = Peers.freePort();
        storescp = Peers.startServer(List.of("storescp", "+B", "+xa", "-od", pacsDir.toString(), "-aet", "PACS_B", String.valueOf(pacsPort)),
                pacsPort, null, Map.of());

        int portA = Peers.freePort(), portB = Peers.freePort();
        Path yamlA = work.resolve("router-a.yaml"), yamlB = work.resolve("router-b.yaml");
        Files.writeString(yamlA, RouterYaml.filesystemCloud("hospital-a", work.resolve("state-a"), "RELAY_A", portA, bridgeUrl, cloud, """
                  - aeTitle: WORKSTATION
                    host: 127.0.0.1
                    port: 104
                    exported: false
                """));
        Files.writeString(yamlB, RouterYaml.filesystemCloud("hospital-b", work.resolve("state-b"), "RELAY_B", portB, bridgeUrl, cloud, """
                  - aeTitle: PACS_B
                    host: 127.0.0.1
                    port: %d
                    services: [echo, store]
                    exported: true
                """.formatted(pacsPort)));
        runToCompletion(launch("enroll hospital-a", jar, "enroll", "--config", yamlA.toString(), "--bridge", bridgeUrl.toString(),
                "--bridge-fingerprint", fingerprint, "--token", token(bridgeUrl, fingerprint, admin, "hospital-a")));
        runToCompletion(launch("enroll hospital-b", jar, "enroll", "--config", yamlB.toString(), "--bridge", bridgeUrl.toString(),
                "--bridge-fingerprint", fingerprint, "--token", token(bridgeUrl, fingerprint, admin, "hospital-b")));
        // the access matrix grants nothing by default: the administrator's command, before the routers start
        runToCompletion(launch("bridge grant", jar, "bridge", "grant", "--config", bridgeYaml.toString(),
                "--bridge", bridgeUrl.toString(), "--bridge-fingerprint", fingerprint, "--router", "hospital-a", "--ae", "PACS_B", "--services", "echo,store"));
        // B first: A takes the directory, with B's exported AE, when it starts
        Started routerB = launch("router hospital-b", jar, "router", "--config", yamlB.toString());
        assertThat(awaitListening(routerB)).isEqualTo(portB);
        Started routerA = launch("router hospital-a", jar, "router", "--config", yamlA.toString());
        assertThat(awaitListening(routerA)).isEqualTo(portA);
        // The command's own line follows the router's log line that awaitListening may have matched first.
        await("router A's routing table").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> routerA.output().contains("remote AEs routed"));
        assertThat(routerA.output()).contains("1 remote AEs routed");

        Path file = Samples.file("test_files/MR_small.dcm");
        String iuid = DataSets.sopInstanceUid(file);
        Peers.Result r = RelayNetwork.tool("storescu", "-aet", "WORKSTATION", "-aec", "PACS_B", "127.0.0.1", String.valueOf(portA), file.toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        // router A logs (INFO, on stderr) once PACS B acknowledged the instance
        await("delivery logged by router A").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> routerA.output().contains("delivered " + iuid + " to PACS_B"));
        Path got = RelayNetwork.storedByStorescp(pacsDir, iuid).orElseThrow(() -> new AssertionError("nothing at storescp for " + iuid));
        // storescu proposes explicit little endian first (the file's own syntax) and writes the data set again
        // itself, without the file's Data Set Trailing Padding: the same attributes otherwise
        assertThat(DataSets.transferSyntax(got)).isEqualTo(DataSets.transferSyntax(file));
        assertThat(DataSets.readWithoutPadding(got).contentEquals(DataSets.readWithoutPadding(file)))
                .as("attributes at PACS B vs the file storescu sent").isTrue();
    }
}
