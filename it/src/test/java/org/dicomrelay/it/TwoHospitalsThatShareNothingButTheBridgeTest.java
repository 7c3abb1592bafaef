package org.dicomrelay.it;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two hospitals that share nothing but the Bridge: router A on host A, router B on host B, the
 * Bridge on host C, each host its own network namespace ({@link Hosts}: A and B each linked to C
 * only, no route between them), each router and the Bridge its own process of the shaded jar
 * with its own state folder, enrolled with the documented commands. The DCMTK peers run on the
 * routers' hosts: the workstation's tools and a move destination (storescp) on A, dcmqrscp as
 * PACS B on B. The reference scenario (PS3.4 C-ECHO, C-STORE, C-FIND, C-MOVE, C-GET) passes
 * across the hosts, over HTTPS pinned by the fingerprint the Bridge printed, with the sealed blobs
 * in the default store at the Bridge (no folder is configured for them) and hospital A granted
 * PACS B's services in the access matrix by the administrator's command.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class TwoHospitalsThatShareNothingButTheBridgeTest {
    /** The same port on both hosts: each has its own network stack. */
    private static final int ROUTER_PORT = 11112;
    private static final int PACS_PORT = 5104, DEST_PORT = 5105;
    private static final String PACS = "QRSCP", ROUTER_A = "RELAY_A", ROUTER_B = "RELAY_B";
    private static final String WORKSTATION = RelayNetwork.WORKSTATION, DEST = RelayNetwork.DEST_A;
    /** In PACS B's database from the start (dcmqrscp takes uncompressed syntaxes only: explicit little endian). */
    private static final String PRELOADED = "test_files/CT_small.dcm";
    private static final Duration TOOL = Duration.ofSeconds(90);

    private final String adminToken = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private final AtomicInteger runs = new AtomicInteger();
    private Hosts hosts;
    private Path work, pacsDb, destDir;
    private URI bridgeUrl;
    private Path bridgeYaml;
    private String fingerprint;
    private HostProcess bridge, routerA, routerB;

    @BeforeAll void startThreeHosts() throws Exception {
        Path jar = jar();
        hosts = Hosts.create();
        work = Files.createTempDirectory("relay-it-hosts");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx------"));

        // host C: the Bridge, bound to its private address
        bridgeYaml = work.resolve("bridge.yaml");
        Files.writeString(bridgeYaml, "bind: " + hosts.bridge.address + "\nport: 0\ndataDir: " + work.resolve("bridge-data")
                + "\nadminToken: " + adminToken + "\n");
        bridge = hosts.bridge.start("bridge", java(jar, "bridge", "--config", bridgeYaml.toString()), work, Map.of());
        bridgeUrl = bridgeUrl(hosts.bridge.address, bridge.awaitListening());
        // Logged just after the line that says it listens: wait for it rather than read the output at once.
        Pattern fingerprintLine = Pattern.compile("fingerprint: ([0-9A-Fa-f:]{64,})");
        org.awaitility.Awaitility.await("the Bridge prints its certificate's fingerprint").atMost(java.time.Duration.ofSeconds(30))
                .until(() -> fingerprintLine.matcher(bridge.output()).find());
        Matcher printed = fingerprintLine.matcher(bridge.output());
        assertThat(printed.find()).as("the Bridge prints its certificate's fingerprint: " + bridge.output()).isTrue();
        fingerprint = printed.group(1);

        // host B: dcmqrscp as PACS B (moves to router B on B's loopback), router B exporting it with every service
        pacsDb = Files.createDirectories(work.resolve("pacs-b-db"));
        Path preloaded = pacsDb.resolve("preloaded.dcm");
        Files.copy(Samples.file(PRELOADED), preloaded);
        Peers.Result idx = hosts.b.run(TOOL, "dcmqridx", pacsDb.toString(), preloaded.toString());
        assertThat(idx.exitCode()).as(idx.output()).isZero();
        Path qrCfg = work.resolve("dcmqrscp.cfg");
        Files.writeString(qrCfg, "NetworkTCPPort = " + PACS_PORT + "\nMaxPDUSize = 16384\nMaxAssociations = 16\n"
                + "HostTable BEGIN\nrouter_b = (" + ROUTER_B + ", 127.0.0.1, " + ROUTER_PORT + ")\nHostTable END\n"
                + "VendorTable BEGIN\nVendorTable END\nAETable BEGIN\n" + PACS + " " + pacsDb + " RW (100, 1024mb) ANY\nAETable END\n");
        // fork mode: dcmqrscp's single-process mode stops listening after one association
        hosts.b.startDicomServer("dcmqrscp", List.of("dcmqrscp", "-c", qrCfg.toString()), PACS_PORT, work);

        // host A: storescp as the move destination
        destDir = Files.createDirectories(work.resolve("dest-a"));
        hosts.a.startDicomServer("storescp", List.of("storescp", "+B", "+xa", "-od", destDir.toString(), "-aet", DEST,
                String.valueOf(DEST_PORT)), DEST_PORT, work);

        Path yamlA = work.resolve("router-a.yaml"), yamlB = work.resolve("router-b.yaml");
        Files.writeString(yamlA, routerYaml("hospital-a", work.resolve("state-a"), ROUTER_A, """
                  - aeTitle: %s
                    host: 127.0.0.1
                    port: 104
                    exported: false
                  - aeTitle: %s
                    host: 127.0.0.1
                    port: %d
                    services: [store]
                    exported: false
                """.formatted(WORKSTATION, DEST, DEST_PORT)));
        Files.writeString(yamlB, routerYaml("hospital-b", work.resolve("state-b"), ROUTER_B, """
                  - aeTitle: %s
                    host: 127.0.0.1
                    port: %d
                    services: [echo, store, find, move, get]
                    exported: true
                """.formatted(PACS, PACS_PORT)));
        // each router enrolled from its own host with a token the Bridge's operator issued on host C
        hosts.a.start("enroll hospital-a", java(jar, "enroll", "--config", yamlA.toString(), enrollArguments(enrollmentToken("hospital-a"))),
                work, Map.of()).awaitSuccess(Duration.ofSeconds(60));
        hosts.b.start("enroll hospital-b", java(jar, "enroll", "--config", yamlB.toString(), enrollArguments(enrollmentToken("hospital-b"))),
                work, Map.of()).awaitSuccess(Duration.ofSeconds(60));
        // the access matrix grants nothing by default: hospital-a may use every service of PACS B
        admin("grant", "--router", "hospital-a", "--ae", PACS, "--services", "echo,store,find,move,get");
        // B first: A takes the directory, with B's exported AE, when it starts
        routerB = hosts.b.start("router hospital-b", java(jar, "router", "--config", yamlB.toString()), work, Map.of());
        assertThat(routerB.awaitListening()).isEqualTo(ROUTER_PORT);
        routerA = hosts.a.start("router hospital-a", java(jar, "router", "--config", yamlA.toString()), work, Map.of());
        assertThat(routerA.awaitListening()).isEqualTo(ROUTER_PORT);
        routerA.awaitLogged("remote AEs routed", Duration.ofSeconds(30));
        assertThat(routerA.output()).contains("1 remote AEs routed");
    }

    @AfterAll void removeThreeHosts() {
        if (hosts != null) hosts.close();
        if (work != null) RelayNetwork.deleteTree(work);
    }

    // ---- what the other parts of issue 9 change, one method each -------------------------------

    /**
     * The blob store: none configured, so the default, the Bridge's {@code bridge} provider — the
     * routers share nothing but the Bridge (no folder, no route to each other).
     */
    private String cloudSection() {
        return "";
    }

    /** The Bridge's URL as the routers use it: HTTPS (a router refuses plain HTTP to a Bridge that is not on its loopback). */
    private static URI bridgeUrl(String address, int port) {
        return URI.create("https://" + address + ":" + port);
    }

    /** {@code enroll}'s Bridge arguments: the URL, the fingerprint the Bridge printed at its first start, the one-time token. */
    private List<String> enrollArguments(String token) {
        return List.of("--bridge", bridgeUrl.toString(), "--bridge-fingerprint", fingerprint, "--token", token);
    }

    // ---- the network --------------------------------------------------------------------------

    @Test void hospitalsReachTheBridgeButNotEachOther() throws Exception {
        int bridgePort = bridgeUrl.getPort();
        assertThat(hosts.a.connects(hosts.bridge.address, bridgePort)).as("A -> Bridge").isTrue();
        assertThat(hosts.b.connects(hosts.bridge.address, bridgePort)).as("B -> Bridge").isTrue();
        // no route between the hospitals: A's and B's addresses are unreachable from each other, not merely closed
        for (Host[] pair : new Host[][] {{hosts.a, hosts.b}, {hosts.b, hosts.a}}) {
            Peers.Result r = pair[0].tcpConnect(pair[1].address, ROUTER_PORT);
            assertThat(r.exitCode()).as(pair[0].label + " -> " + pair[1].label).isNotZero();
            assertThat(r.output()).as(pair[0].label + " -> " + pair[1].label).contains("Network is unreachable");
        }
    }

    // ---- the reference scenario, each step on its own --------------------------------------------

    /** PS3.4 Annex A: echoscu on A verifies PACS B on B. */
    @Test void echoscuOnHostAVerifiesPacsBOnHostB() throws Exception {
        Peers.Result r = atA("echoscu", "-aet", WORKSTATION, "-aec", PACS, "127.0.0.1", String.valueOf(ROUTER_PORT));
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    /** PS3.4 Annex B: storescu on A stores into dcmqrscp on B; dcmqrscp holds the same attributes and finds the instance. */
    @Test void storescuOnHostAStoresIntoPacsBOnHostB() throws Exception {
        Path sent = Samples.file("test_files/MR_small.dcm");
        String iuid = DataSets.sopInstanceUid(sent);
        Peers.Result r = atA("storescu", "-aet", WORKSTATION, "-aec", PACS, "127.0.0.1", String.valueOf(ROUTER_PORT), sent.toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        // router A acknowledges from its spool; this is PACS B's acknowledgement
        routerA.awaitLogged("delivered " + iuid + " to " + PACS, Duration.ofSeconds(60));
        Path held = inPacsB(iuid);
        assertThat(DataSets.readWithoutPadding(held).contentEquals(DataSets.readWithoutPadding(sent))).as("attributes in PACS B vs sent").isTrue();
        Attributes ds = DataSets.read(sent);
        List<Attributes> found = findscu("-k", "QueryRetrieveLevel=IMAGE", "-k", "StudyInstanceUID=" + ds.getString(Tag.StudyInstanceUID),
                "-k", "SeriesInstanceUID=" + ds.getString(Tag.SeriesInstanceUID), "-k", "SOPInstanceUID");
        assertThat(found).extracting(a -> a.getString(Tag.SOPInstanceUID)).containsExactly(iuid);
    }

    /** PS3.4 Annex C: findscu on A matches the preloaded study on B by Patient ID; a Patient ID nobody has matches nothing. */
    @Test void findscuOnHostAMatchesTheStudyOnHostB() throws Exception {
        Attributes preloaded = DataSets.read(Samples.file(PRELOADED));
        List<Attributes> found = findscu("-k", "QueryRetrieveLevel=STUDY", "-k", "PatientID=" + preloaded.getString(Tag.PatientID),
                "-k", "StudyInstanceUID", "-k", "PatientName");
        assertThat(found).extracting(a -> a.getString(Tag.StudyInstanceUID)).containsExactly(preloaded.getString(Tag.StudyInstanceUID));
        assertThat(found.get(0).getString(Tag.PatientName)).isEqualTo(preloaded.getString(Tag.PatientName));
        assertThat(findscu("-k", "QueryRetrieveLevel=STUDY", "-k", "PatientID=NOBODY-" + runs.get(), "-k", "StudyInstanceUID")).isEmpty();
    }

    /** PS3.4 Annex C (C-MOVE): movescu on A moves the study from B into storescp (DEST_A) on A. */
    @Test void movescuOnHostAMovesTheStudyFromHostBToDestinationOnHostA() throws Exception {
        Path original = Samples.file(PRELOADED);
        Peers.Result r = atA("movescu", "-S", "-aet", WORKSTATION, "-aec", PACS, "-aem", DEST, "-k", "QueryRetrieveLevel=STUDY",
                "-k", "StudyInstanceUID=" + DataSets.studyUid(original), "127.0.0.1", String.valueOf(ROUTER_PORT));
        assertThat(r.exitCode()).as(r.output()).isZero();
        Path got = RelayNetwork.storedByStorescp(destDir, DataSets.sopInstanceUid(original))
                .orElseThrow(() -> new AssertionError("the study did not reach " + DEST + ":\n" + r.output()));
        assertThat(DataSets.readWithoutPadding(got).contentEquals(DataSets.readWithoutPadding(original))).as("attributes at DEST_A vs PACS B's").isTrue();
    }

    /** PS3.4 Annex C (C-GET): getscu on A receives the study from B on its own association. */
    @Test void getscuOnHostAReceivesTheStudyFromHostB() throws Exception {
        Path original = Samples.file(PRELOADED);
        Path into = Files.createDirectories(work.resolve("getscu-" + runs.incrementAndGet()));
        Peers.Result r = atA("getscu", "-S", "-aet", WORKSTATION, "-aec", PACS, "-od", into.toString(), "-k", "QueryRetrieveLevel=STUDY",
                "-k", "StudyInstanceUID=" + DataSets.studyUid(original), "127.0.0.1", String.valueOf(ROUTER_PORT));
        assertThat(r.exitCode()).as(r.output()).isZero();
        Path got = RelayNetwork.storedByStorescp(into, DataSets.sopInstanceUid(original))
                .orElseThrow(() -> new AssertionError("getscu stored nothing:\n" + r.output()));
        assertThat(DataSets.readWithoutPadding(got).contentEquals(DataSets.readWithoutPadding(original))).as("attributes at A vs PACS B's").isTrue();
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** A DCMTK tool on host A (the workstation's side), to completion. */
    private Peers.Result atA(String... command) throws IOException {
        return hosts.a.run(TOOL, command);
    }

    /** findscu (Study Root) on A to PACS B through router A, its responses extracted to files (-X) and read back. */
    private List<Attributes> findscu(String... keys) throws IOException {
        Path out = Files.createDirectories(work.resolve("findscu-" + runs.incrementAndGet()));
        List<String> cmd = new ArrayList<>(List.of("findscu", "-S", "-X", "-od", out.toString(), "-aet", WORKSTATION, "-aec", PACS));
        cmd.addAll(List.of(keys));
        cmd.addAll(List.of("127.0.0.1", String.valueOf(ROUTER_PORT)));
        Peers.Result r = atA(cmd.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.output()).isZero();
        List<Attributes> matches = new ArrayList<>();
        try (Stream<Path> s = Files.list(out)) {
            for (Path f : s.sorted().toList()) matches.add(DataSets.read(f));
        }
        return matches;
    }

    /** The file dcmqrscp stored for an instance. */
    private Path inPacsB(String sopInstanceUid) throws IOException {
        try (Stream<Path> s = Files.list(pacsDb)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                try {
                    if (sopInstanceUid.equals(DataSets.sopInstanceUid(f))) return f;
                } catch (IOException | RuntimeException notDicom) {
                    // index.dat
                }
            }
        }
        throw new AssertionError(sopInstanceUid + " is not in PACS B's database " + pacsDb);
    }

    /** An enrollment token, asked on host C (its operator's host) with the administrator's command. */
    private String enrollmentToken(String routerId) throws IOException {
        String out = admin("token", "create", "--router-id", routerId);
        if (!out.contains("one-time enrollment token")) throw new AssertionError("no enrollment token in: " + out);
        return out.strip().lines().findFirst().orElseThrow().strip();
    }

    /** {@code dicom-relay bridge <command>} on host C, against the running Bridge over pinned HTTPS; its output, after exit 0. */
    private String admin(String... command) throws IOException {
        List<String> cmd = new ArrayList<>(java(jar(), "bridge"));
        cmd.addAll(List.of(command));
        cmd.addAll(List.of("--config", bridgeYaml.toString(), "--bridge", bridgeUrl.toString(), "--bridge-fingerprint", fingerprint));
        Peers.Result r = hosts.bridge.run(Duration.ofSeconds(60), cmd.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.output()).isZero();
        return r.output();
    }

    private String routerYaml(String id, Path state, String ae, String devices) {
        return RouterYaml.of(id, state, ae, ROUTER_PORT, bridgeUrl, cloudSection(), devices);
    }

    private static List<String> java(Path jar, Object... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-jar",
                jar.toString()));
        for (Object a : args) {
            if (a instanceof List<?> l) l.forEach(x -> cmd.add(x.toString()));
            else cmd.add(a.toString());
        }
        return cmd;
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty("project.root", "..")).resolve("cli/target/dicom-relay.jar").toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isRegularFile(jar), "the shaded jar " + jar + " is missing: build it first (mvn -pl it -am package)"
                + " and run with -Dproject.root=<repository>");
        return jar;
    }
}
