package org.dicomrelay.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.dicomrelay.router.RouterApp;
import org.dicomrelay.router.config.RouterConfig;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A relay network for fault injection, every piece its own OS process as deployed: the Bridge
 * ({@code dicom-relay bridge}) on a fixed port so that it can be killed and started again at the
 * same address, routers hospital-a (RELAY_A) and hospital-b (RELAY_B) ({@code dicom-relay
 * router}), a filesystem cloud folder, and PACS B ({@link FaultPacs}) behind router B. The
 * routers are enrolled through the admin API with the enrollment code of {@code dicom-relay
 * enroll} (run in this JVM: it is a one-off step, not a piece of the running network).
 * Router A's retry policy is short (1 to 3 s), so that a drain after a fault takes seconds.
 */
final class FaultNetwork implements AutoCloseable {
    static final String ROUTER_A = "hospital-a", ROUTER_B = "hospital-b";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START = Duration.ofSeconds(90);

    final Path work;
    final Path jar;
    final Path cloud;
    final Path stateA, stateB;
    final Path yamlA, yamlB;
    final int bridgePort, portA, portB;
    final URI bridgeUrl;
    final FaultPacs pacs;
    private final String adminToken = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private final Path bridgeYaml;
    FaultProcess bridge, routerA, routerB;
    /** The second Bridge instance, when the network has two on one PostgreSQL database ({@link #withTwoBridges}). */
    FaultProcess bridge2;
    private Path bridgeYaml2;
    URI bridgeUrl2;
    /** How router A is launched: the plain command, or wrapped (e.g. in a private mount namespace). */
    private Function<List<String>, List<String>> wrapA = Function.identity();

    private FaultNetwork(Path jar) throws IOException {
        this.jar = jar;
        this.work = Files.createTempDirectory("relay-faults");
        this.cloud = Files.createDirectories(work.resolve("cloud"));
        this.stateA = work.resolve("state-a");
        this.stateB = work.resolve("state-b");
        this.yamlA = work.resolve("router-a.yaml");
        this.yamlB = work.resolve("router-b.yaml");
        this.bridgeYaml = work.resolve("bridge.yaml");
        this.bridgePort = org.dicomrelay.testkit.Peers.freePort();
        this.portA = org.dicomrelay.testkit.Peers.freePort();
        this.portB = org.dicomrelay.testkit.Peers.freePort();
        this.bridgeUrl = URI.create("http://127.0.0.1:" + bridgePort);
        this.pacs = new FaultPacs(work);
    }

    /** The shaded jar, or the test is skipped (it runs with {@code mvn -pl it -am package}). */
    static Path jar() {
        Path jar = Path.of(System.getProperty("project.root", "..")).resolve("cli/target/dicom-relay.jar").toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isRegularFile(jar), "the shaded jar " + jar + " is missing: run with mvn -pl it -am package"
                + " (and -Dproject.root=<repository> outside Maven)");
        return jar;
    }

    /** Bridge, PACS B (accepting everything unless {@code pacsRefusesCt}), both routers enrolled; nothing started yet but the Bridge and the PACS. */
    static FaultNetwork create(boolean pacsRefusesCt) throws Exception {
        FaultNetwork n = new FaultNetwork(jar());
        try {
            n.setUp(pacsRefusesCt);
            return n;
        } catch (Exception | Error e) {
            n.close();
            throw e;
        }
    }

    /**
     * Two Bridge instances on the PostgreSQL database {@code jdbcUrl}, sharing one data folder (the
     * blobs: routers use the Bridge's own store here, not the filesystem provider), both named in
     * the routers' {@code bridgeUrl}; PACS B accepting everything, both routers enrolled, nothing
     * started yet but the Bridges and the PACS.
     */
    static FaultNetwork withTwoBridges(String jdbcUrl) throws Exception {
        FaultNetwork n = new FaultNetwork(jar());
        try {
            n.bridgeYaml2 = n.work.resolve("bridge-2.yaml");
            n.bridgeUrl2 = URI.create("http://127.0.0.1:" + org.dicomrelay.testkit.Peers.freePort());
            n.setUp(false, jdbcUrl);
            return n;
        } catch (Exception | Error e) {
            n.close();
            throw e;
        }
    }

    private void setUp(boolean pacsRefusesCt) throws Exception {
        setUp(pacsRefusesCt, null);
    }

    private void setUp(boolean pacsRefusesCt, String jdbcUrl) throws Exception {
        String database = jdbcUrl == null ? "" : "jdbcUrl: \"" + jdbcUrl + "\"\n";
        Files.writeString(bridgeYaml, "bind: 127.0.0.1\nport: " + bridgePort + "\ndataDir: bridge-data\nadminToken: " + adminToken
                + "\n" + database + "tls:\n  enabled: false\n"); // plain HTTP on loopback: these tests break other things
        startBridge();
        if (bridgeYaml2 != null) {
            Files.writeString(bridgeYaml2, "bind: 127.0.0.1\nport: " + bridgeUrl2.getPort() + "\ndataDir: bridge-data\nadminToken: " + adminToken
                    + "\n" + database + "tls:\n  enabled: false\n");
            startBridge2();
        }
        String bridges = bridgeUrl2 == null ? bridgeUrl.toString() : bridgeUrl + ", " + bridgeUrl2;
        if (pacsRefusesCt) pacs.startRefusingCt();
        else pacs.start();
        Files.writeString(yamlA, RouterYaml.of(ROUTER_A, stateA, "RELAY_A", portA, bridges, cloudSection(), """
                  - aeTitle: %s
                    host: 127.0.0.1
                    port: 104
                    exported: false
                """.formatted(FaultModality.AE)));
        Files.writeString(yamlB, RouterYaml.of(ROUTER_B, stateB, "RELAY_B", portB, bridges, cloudSection(), """
                  - aeTitle: %s
                    host: 127.0.0.1
                    port: %d
                    services: [echo, store]
                    exported: true
                """.formatted(FaultPacs.AE, pacs.port)));
        RouterApp.enroll(RouterConfig.load(yamlA), bridgeUrl, token(ROUTER_A));
        RouterApp.enroll(RouterConfig.load(yamlB), bridgeUrl, token(ROUTER_B));
        HttpResponse<String> grant = admin("PUT", "/api/admin/access", Map.of("routerId", ROUTER_A, "aeTitle", FaultPacs.AE,
                "services", List.of("echo", "store")));
        if (grant.statusCode() != 200) throw new IOException("access grant refused: HTTP " + grant.statusCode() + " " + grant.body());
    }

    /** The filesystem cloud folder, or with two Bridge instances the Bridge's own store (""). */
    private String cloudSection() {
        return bridgeUrl2 != null ? "" : """
                cloud:
                  provider: filesystem
                  settings:
                    root: %s
                """.formatted(cloud);
    }

    /** Starts router B, then router A (which takes B's AE from the directory when it starts). */
    FaultNetwork startRouters() throws IOException {
        startRouterB();
        startRouterA();
        return this;
    }

    /** Router A runs with {@code wrap} applied to its command line (set before it starts). */
    void wrapRouterA(Function<List<String>, List<String>> wrap) {
        this.wrapA = wrap;
    }

    void startBridge() throws IOException {
        bridge = FaultProcess.start("bridge", java("bridge", "--config", bridgeYaml.toString()), work, work.resolve("bridge.log"));
        bridge.awaitLine("listening", l -> l.contains("bridge listening on"), START);
    }

    void startBridge2() throws IOException {
        bridge2 = FaultProcess.start("bridge 2", java("bridge", "--config", bridgeYaml2.toString()), work, work.resolve("bridge-2.log"));
        bridge2.awaitLine("listening", l -> l.contains("bridge listening on"), START);
    }

    void startRouterA() throws IOException {
        routerA = FaultProcess.start("router A", wrapA.apply(java("router", "--config", yamlA.toString())), work, work.resolve("router-a.log"));
        // the command's own line, printed once the router took the directory: PACS_B must be routed
        routerA.awaitLine("listening with PACS B routed", l -> l.matches(".*listening on .*, [1-9]\\d* remote AEs routed.*"), START);
    }

    void startRouterB() throws IOException {
        routerB = FaultProcess.start("router B", java("router", "--config", yamlB.toString()), work, work.resolve("router-b.log"));
        routerB.awaitLine("listening", l -> l.matches(".*listening on .*remote AEs routed.*"), START);
    }

    private List<String> java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    // ---- the Bridge's admin API -----------------------------------------------------------

    private HttpResponse<String> admin(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(bridgeUrl.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken);
        if (body != null) r.header("Content-Type", "application/json");
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        HttpResponse<String> rsp = HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
        if (rsp.statusCode() / 100 != 2) throw new IOException(method + " " + path + ": HTTP " + rsp.statusCode() + " " + rsp.body());
        return rsp;
    }

    private String token(String routerId) throws IOException, InterruptedException {
        return JSON.readTree(admin("POST", "/api/admin/enrollment-tokens", Map.of("routerId", routerId)).body()).get("token").asText();
    }

    /** Revokes a router at the Bridge (as an administrator would after a compromise). */
    void revoke(String routerId) throws IOException, InterruptedException {
        admin("POST", "/api/admin/routers/" + routerId + "/revoke", null);
    }

    /** {@code dicom-relay spool ARGS --config router-a.yaml}, in this JVM: reads and changes router A's spool while router A runs. */
    RelayNetwork.CliResult spoolA(String... args) {
        List<String> cmd = new ArrayList<>(List.of("spool"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--config", yamlA.toString()));
        return RelayNetwork.cli(cmd.toArray(String[]::new));
    }

    /** The last lines of every process's log, for a failure message. */
    String logs() {
        StringBuilder b = new StringBuilder();
        for (FaultProcess p : new FaultProcess[] {bridge, bridge2, routerA, routerB}) {
            if (p != null) b.append("\n---- ").append(p.name).append(" (last warnings)\n").append(p.warnings(12));
        }
        return b.toString();
    }

    @Override public void close() {
        // routers first, then the Bridge; SIGTERM lets their shutdown hooks close them
        for (FaultProcess p : new FaultProcess[] {routerA, routerB, bridge, bridge2}) {
            if (p == null) continue;
            try {
                p.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            pacs.close();
        } catch (Exception ignored) {
            // shutting down: keep closing the rest
        }
        RelayNetwork.deleteTree(work);
    }
}
