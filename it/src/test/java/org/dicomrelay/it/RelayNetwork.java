package org.dicomrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dicomrelay.archive.H2Index;
import org.dicomrelay.bridge.BridgeConfig;
import org.dicomrelay.bridge.BridgeTls;
import org.dicomrelay.bridge.BridgeServer;
import org.dicomrelay.cli.Main;
import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DimseResponse;
import org.dicomrelay.dicom.net.PendingRequest;
import org.dicomrelay.dicom.net.service.QueryRetrieveModel;
import org.dicomrelay.dicom.net.service.QueryRetrieveScu;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.FolderArchive;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.bridge.RouterRecord;
import org.dicomrelay.relay.cloud.BridgeNotifications;
import org.dicomrelay.relay.cloud.fs.FileSystemBlobStore;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.dicomrelay.router.RouterApp;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.Limits;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.link.CloudCourier;
import org.dicomrelay.testkit.Dcmqrscp;
import org.dicomrelay.testkit.Orthanc;
import org.dicomrelay.testkit.Peers;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A whole relay network on 127.0.0.1, assembled the way it is deployed: a real Bridge (H2 in a
 * temporary folder), routers hospital-a and hospital-b enrolled through the Bridge's enrollment
 * API with one-time tokens and started with {@link RouterApp}, the Cloud IO provider assigned to
 * them at the Bridge (a filesystem cloud in a temporary folder), PACS B of the kind the test
 * asks for (exported by hospital-b with every service), and at hospital A a workstation
 * (WORKSTATION, the calling AE of every tool) and a move destination (DEST_A: DCMTK storescp
 * +B). The Bridge's access matrix grants hospital-a every service of every AE hospital-b
 * exports, unless the test sets the grants itself ({@link Builder#grant}). Every log record is
 * captured from the start.
 */
final class RelayNetwork implements AutoCloseable {
    static final List<String> ALL = List.of("echo", "store", "find", "move", "get");
    static final String WORKSTATION = "WORKSTATION";
    static final String DEST_A = "DEST_A";
    /** The routers' own AE titles (not "ROUTER_A": the Bridge's table ROUTER_AES would contain that one). */
    static final String ROUTER_A = "RELAY_A";
    static final String ROUTER_B = "RELAY_B";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** What PACS B is. */
    enum Pacs {
        /** DCMTK storescp +B (bit preserving), AE PACS_B: files land in {@link #pacsDir}. */
        STORESCP("PACS_B"),
        /** Orthanc, AE ORTHANC_B: files land in its storage folder {@link #pacsDir}. */
        ORTHANC("ORTHANC_B"),
        /** DCMTK dcmqrscp, AE QRSCP (the fixture's), with router B as move destination. */
        DCMQRSCP("QRSCP"),
        /** Our archive (FolderArchive with the H2 index), AE ARCHIVE_B, with router B as move destination. */
        ARCHIVE("ARCHIVE_B");

        final String aeTitle;

        Pacs(String aeTitle) {
            this.aeTitle = aeTitle;
        }
    }

    /** A cell of the Bridge's access matrix: {@code routerId} may use {@code services} of {@code aeTitle}. */
    record Grant(String routerId, String aeTitle, List<String> services) {}

    /** Extra device at hospital B: at PACS B's address, at {@code port} if not 0, or at a port where nothing listens, when down. */
    record ExtraDevice(String aeTitle, List<String> services, boolean exported, boolean down, int port) {}

    static Builder with(Pacs pacs) {
        return new Builder(pacs);
    }

    static final class Builder {
        private final Pacs pacs;
        private final List<Path> archiveFiles = new ArrayList<>();
        private final List<String> dcmqrscpSamples = new ArrayList<>();
        private final List<ExtraDevice> extraB = new ArrayList<>();
        private final List<String> extraRouters = new ArrayList<>();
        private final List<Grant> grants = new ArrayList<>();
        private boolean record;
        private Limits limitsB;
        private org.dicomrelay.router.config.Compression compressionA;
        private boolean bridgeStore;
        private RouterConfig.Cloud cloudOfRouters;
        private RouterConfig.Cloud cloudOfRouterB;
        private RouterConfig.Cloud assignedCloud;
        private Long bridgeQuotaBytes;
        private java.util.function.UnaryOperator<URI> bridgeUrlOfA = u -> u;
        private Duration visibilityTimeout = Duration.ofSeconds(60);
        private boolean bridgeConsole;

        private Builder(Pacs pacs) {
            this.pacs = pacs;
        }

        /** Files copied into the archive folder before it starts (it indexes them at start). */
        Builder archiveFiles(List<Path> files) {
            archiveFiles.addAll(files);
            return this;
        }

        /** pydicom samples dcmqrscp holds from the start. */
        Builder dcmqrscpSamples(List<String> samples) {
            dcmqrscpSamples.addAll(samples);
            return this;
        }

        Builder deviceB(String aeTitle, List<String> services, boolean exported) {
            extraB.add(new ExtraDevice(aeTitle, services, exported, false, 0));
            return this;
        }

        /** An exported device of the test's own on 127.0.0.1:{@code port}. */
        Builder deviceBAt(String aeTitle, int port, List<String> services) {
            extraB.add(new ExtraDevice(aeTitle, services, true, false, port));
            return this;
        }

        /** Router B's limits on the work of other routers (router.yaml {@code limits}). */
        Builder limitsB(Limits limits) {
            limitsB = limits;
            return this;
        }

        /** Router A's compression of what it sends (router.yaml {@code compression}). */
        Builder compressionA(org.dicomrelay.router.config.Compression c) {
            compressionA = c;
            return this;
        }

        /** An exported device whose address answers nothing (the device is down). */
        Builder downDeviceB(String aeTitle, List<String> services) {
            extraB.add(new ExtraDevice(aeTitle, services, true, true, 0));
            return this;
        }

        /** More routers enrolled at the Bridge (keys generated, not started): the test drives them. */
        Builder extraRouter(String routerId) {
            extraRouters.add(routerId);
            return this;
        }

        /**
         * Grants {@code routerId} these services of {@code aeTitle} before the routers start. The
         * first call replaces the default (hospital-a: everything hospital-b exports).
         */
        Builder grant(String routerId, String aeTitle, String... services) {
            grants.add(new Grant(routerId, aeTitle, List.of(services)));
            return this;
        }

        /** How soon the Bridge delivers an unacknowledged notification again. */
        Builder visibilityTimeout(Duration d) {
            visibilityTimeout = d;
            return this;
        }

        /** Record every blob and notification routers hand to the cloud ({@link #recording}). */
        Builder recordCloud() {
            record = true;
            return this;
        }

        /** Both routers' own {@code cloud} section (router.yaml): that provider, no assignment at the Bridge. */
        Builder cloud(String provider, Map<String, String> settings) {
            cloudOfRouters = new RouterConfig.Cloud(provider, settings);
            return this;
        }

        /** Each router's own {@code cloud} section (router.yaml): mixed clouds. */
        Builder clouds(RouterConfig.Cloud ofA, RouterConfig.Cloud ofB) {
            cloudOfRouters = ofA;
            cloudOfRouterB = ofB;
            return this;
        }

        /** The provider (non-secret settings) the Bridge assigns both routers, instead of the test's shared folder. */
        Builder assignedCloud(String provider, Map<String, String> settings) {
            assignedCloud = new RouterConfig.Cloud(provider, settings);
            return this;
        }

        /** No provider assigned and no shared folder: the routers use the default, blobs stored at the Bridge. */
        Builder bridgeStore() {
            bridgeStore = true;
            return this;
        }

        /** Router A reaches the Bridge at the address this gives for the Bridge's own (a proxy of the test's). */
        Builder bridgeUrlOfA(java.util.function.UnaryOperator<URI> f) {
            bridgeUrlOfA = f;
            return this;
        }

        /** The Bridge serves its web console on 127.0.0.1 (a free port): {@code bridge.consoleUrl()}. */
        Builder bridgeConsole() {
            bridgeConsole = true;
            return this;
        }

        /** The Bridge's quota of unconsumed blobs per sending router ({@code blobQuotaBytes}). */
        Builder bridgeQuota(long bytes) {
            bridgeQuotaBytes = bytes;
            return this;
        }

        RelayNetwork start() throws Exception {
            RelayNetwork n = new RelayNetwork(this);
            try {
                n.startAll();
                return n;
            } catch (Exception | Error e) {
                n.close();
                throw e;
            }
        }
    }

    /** A router enrolled at the Bridge but run by the test itself. */
    record EnrolledRouter(String routerId, RouterKeys keys, BridgeCredentials credentials) {}

    private final Builder spec;
    final LogCapture logs = new LogCapture();
    final Path work;
    final Path cloud;
    final String adminToken = "admin-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    BridgeServer bridge;
    URI bridgeUrl;
    RecordingCloudProvider.Recording recording;
    RouterConfig configA, configB;
    RouterApp a, b;
    final Map<String, EnrolledRouter> extraRouters = new LinkedHashMap<>();

    final String pacsAe;
    int pacsPort;
    Path pacsDir;
    Peers.Server storescpB;
    Orthanc orthanc;
    Dcmqrscp dcmqrscp;
    H2Index archiveIndex;
    FolderArchive archive;
    DicomServer archiveServer;

    Peers.Server destA;
    Path destADir;

    private RelayNetwork(Builder spec) throws IOException {
        this.spec = spec;
        this.pacsAe = spec.pacs.aeTitle;
        this.work = Files.createTempDirectory("relay-it");
        this.cloud = Files.createDirectories(work.resolve("cloud"));
    }

    private void startAll() throws Exception {
        if (spec.record) recording = RecordingCloudProvider.record(cloud);
        BridgeConfig.Builder bridgeConfig = BridgeConfig.builder().bind("127.0.0.1").port(0).dataDir(work.resolve("bridge")).adminToken(adminToken)
                .tls(BridgeTls.disabled()).visibilityTimeout(spec.visibilityTimeout); // plain HTTP on loopback; HTTPS: SeparateProcessesTest
        if (spec.bridgeQuotaBytes != null) bridgeConfig.blobQuotaBytes(spec.bridgeQuotaBytes);
        if (spec.bridgeConsole) bridgeConfig.console(new org.dicomrelay.bridge.BridgeConsoleListener("127.0.0.1", 0));
        bridge = BridgeServer.start(bridgeConfig.build());
        bridgeUrl = bridge.url();

        int portB = Peers.freePort();
        startPacsB(portB);
        destADir = Files.createDirectories(work.resolve("dest-a"));
        int destPort = Peers.freePort();
        destA = Peers.startServer(List.of("storescp", "+B", "+xa", "-od", destADir.toString(), "-aet", DEST_A, String.valueOf(destPort)),
                destPort, null, Map.of());

        List<Device> devicesB = new ArrayList<>();
        devicesB.add(new Device(pacsAe, "127.0.0.1", pacsPort, ALL, List.of(), true));
        for (ExtraDevice d : spec.extraB) {
            devicesB.add(new Device(d.aeTitle(), "127.0.0.1", d.down() ? Peers.freePort() : d.port() != 0 ? d.port() : pacsPort, d.services(), List.of(), d.exported()));
        }
        List<Device> devicesA = new ArrayList<>();
        devicesA.add(new Device(WORKSTATION, "127.0.0.1", 1, List.of(), List.of(), false));
        devicesA.add(new Device(DEST_A, "127.0.0.1", destPort, List.of("store"), List.of(), false));
        // No cloud section: the provider comes from the Bridge's assignment (none: the default, blobs at the Bridge).
        URI bridgeUrlA = spec.bridgeUrlOfA.apply(bridgeUrl);
        configA = new RouterConfig("hospital-a", work.resolve("a").toString(), ROUTER_A, "127.0.0.1", 0, bridgeUrlA.toString(),
                spec.cloudOfRouters, "spool", devicesA);
        configB = new RouterConfig("hospital-b", work.resolve("b").toString(), ROUTER_B, "127.0.0.1", portB, bridgeUrl.toString(),
                spec.cloudOfRouterB != null ? spec.cloudOfRouterB : spec.cloudOfRouters, "spool", devicesB);
        if (spec.limitsB != null) configB = configB.withLimits(spec.limitsB);
        if (spec.compressionA != null) configA = configA.withCompression(spec.compressionA);
        for (RouterConfig c : List.of(configA, configB)) {
            RouterApp.enroll(c, c == configA ? bridgeUrlA : bridgeUrl, enrollmentToken(c.routerId()));
            if (spec.assignedCloud != null) {
                adminOk("PUT", "/api/admin/routers/" + c.routerId() + "/provider",
                        Map.of("name", spec.assignedCloud.provider(), "settings", spec.assignedCloud.settings()));
            } else if (!spec.bridgeStore && spec.cloudOfRouters == null) {
                assignCloud(c.routerId());
            }
        }
        for (String id : spec.extraRouters) {
            RouterKeys k = RouterKeys.generate();
            PublicKeys pk = k.publicKeys(id);
            BridgeCredentials creds = BridgeClient.enroll(bridgeUrl, enrollmentToken(id),
                    new RouterRecord(id, pk.hpkePublicKeyset(), pk.signaturePublicKeyset()));
            if (!spec.bridgeStore) assignCloud(id);
            extraRouters.put(id, new EnrolledRouter(id, k, creds));
        }
        List<Grant> grants = spec.grants;
        if (grants.isEmpty()) {
            grants = new ArrayList<>();
            for (Device d : devicesB) if (d.exported()) grants.add(new Grant("hospital-a", d.aeTitle(), ALL));
        }
        // Before the routers start: each takes its part of the matrix with its first directory sync.
        for (Grant g : grants) grant(g.routerId(), g.aeTitle(), g.services());
        // B first: A takes the directory (B's exported AEs) when it starts.
        b = RouterApp.start(configB);
        a = RouterApp.start(configA);
        if (a.routes().route(pacsAe).isEmpty() && grants.stream().anyMatch(g -> g.routerId().equals("hospital-a") && g.aeTitle().equals(pacsAe))) {
            throw new IllegalStateException("router A did not learn " + pacsAe + " from the Bridge");
        }
    }

    private void startPacsB(int routerBPort) throws Exception {
        switch (spec.pacs) {
            case STORESCP -> {
                pacsDir = Files.createDirectories(work.resolve("pacs-b"));
                pacsPort = Peers.freePort();
                storescpB = Peers.startServer(List.of("storescp", "+B", "+xa", "-od", pacsDir.toString(), "-aet", pacsAe,
                        String.valueOf(pacsPort)), pacsPort, null, Map.of());
            }
            case ORTHANC -> {
                orthanc = Orthanc.start(Files.createDirectories(work.resolve("orthanc")), pacsAe, Map.of(ROUTER_B, routerBPort));
                pacsPort = orthanc.port();
                pacsDir = orthanc.storage;
            }
            case DCMQRSCP -> {
                pacsPort = Peers.freePort();
                dcmqrscp = Dcmqrscp.start(Files.createDirectories(work.resolve("dcmqrscp")), spec.dcmqrscpSamples,
                        Map.of(ROUTER_B, routerBPort), pacsPort);
                pacsDir = work.resolve("dcmqrscp").resolve("db");
            }
            case ARCHIVE -> {
                pacsDir = Files.createDirectories(work.resolve("archive-b"));
                for (Path f : spec.archiveFiles) {
                    Path dir = Files.createDirectories(pacsDir.resolve("preloaded"));
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
                archiveIndex = H2Index.open(pacsDir);
                archive = new FolderArchive(pacsDir, pacsAe, Map.of(ROUTER_B, new InetSocketAddress("127.0.0.1", routerBPort)),
                        archiveIndex, AssociationOptions.DEFAULT);
                archiveServer = DicomServer.start(archive.applicationEntity(), "127.0.0.1", 0, 16, archive.services());
                pacsPort = archiveServer.port();
            }
        }
    }

    // ---- the Bridge's admin API -----------------------------------------------------------

    HttpResponse<String> admin(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(bridgeUrl.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken);
        if (body != null) r.header("Content-Type", "application/json");
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> adminOk(String method, String path, Object body) throws IOException, InterruptedException {
        HttpResponse<String> r = admin(method, path, body);
        if (r.statusCode() / 100 != 2) throw new IOException(method + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
        return r;
    }

    String enrollmentToken(String routerId) throws IOException, InterruptedException {
        JsonNode n = JSON.readTree(adminOk("POST", "/api/admin/enrollment-tokens", Map.of("routerId", routerId, "displayName", routerId)).body());
        return n.get("token").asText();
    }

    /** Where the Bridge keeps the blobs it stores (Cloud IO "bridge"). */
    Path bridgeBlobs() {
        return work.resolve("bridge").resolve("blobs");
    }

    private void assignCloud(String routerId) throws IOException, InterruptedException {
        adminOk("PUT", "/api/admin/routers/" + routerId + "/provider",
                Map.of("name", RecordingCloudProvider.NAME, "settings", Map.of("root", cloud.toString())));
    }

    /** Sets what {@code routerId} may use of {@code aeTitle} in the Bridge's access matrix (routers learn it at their next sync). */
    void grant(String routerId, String aeTitle, List<String> services) throws IOException, InterruptedException {
        adminOk("PUT", "/api/admin/access", Map.of("routerId", routerId, "aeTitle", aeTitle, "services", services));
    }

    void revoke(String routerId) throws IOException, InterruptedException {
        adminOk("POST", "/api/admin/routers/" + routerId + "/revoke", null);
    }

    // ---- acting as a router ------------------------------------------------------------------

    /** The Bridge credentials a started router keeps in its state folder. */
    static BridgeCredentials credentials(RouterConfig c) throws IOException {
        return JSON.readValue(c.state().resolve("bridge-credentials.json").toFile(), BridgeCredentials.class);
    }

    static BridgeClient client(BridgeCredentials c) {
        try {
            return new BridgeClient(c);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Public keys of the routers as the Bridge's directory has them now. */
    Map<String, PublicKeys> directoryKeys(BridgeClient client) throws IOException {
        Map<String, PublicKeys> keys = new LinkedHashMap<>();
        for (var r : client.directory().routers()) {
            RouterRecord rec = r.record();
            keys.put(rec.routerId(), new PublicKeys(rec.routerId(), rec.hpkePublicKey(), rec.signaturePublicKey()));
        }
        return keys;
    }

    /**
     * A courier speaking as {@code senderId} with {@code keys}, posting through {@code transport}'s
     * Bridge account into the same cloud: what a router (genuine, forged or revoked) puts in another's inbox.
     */
    CloudCourier courier(String senderId, RouterKeys keys, Map<String, PublicKeys> directory, BridgeClient transport) throws IOException {
        return new CloudCourier(senderId, keys, directory::get, new FileSystemBlobStore(cloud), new BridgeNotifications(transport));
    }

    // ---- tools ---------------------------------------------------------------------------

    int portA() {
        return a.port();
    }

    /** What a C-FIND came back with: the final status, and the matches (pending responses) before it. */
    record FindResult(int status, int matches) {}

    /** A Study Root C-FIND from the workstation at router A to {@code calledAe}, to its final response. */
    FindResult findThroughA(String calledAe, Attributes keys) throws IOException, InterruptedException {
        try (QueryRetrieveScu scu = QueryRetrieveScu.open("127.0.0.1", portA(), calledAe, WORKSTATION,
                QueryRetrieveModel.STUDY_ROOT, List.of(), null, AssociationOptions.DEFAULT)) {
            PendingRequest p = scu.find(keys);
            DimseResponse r, last = null;
            int matches = 0;
            while ((r = p.next()) != null) {
                if (r.isPending()) matches++;
                last = r;
            }
            return new FindResult(last.status(), matches);
        }
    }

    /** A DCMTK tool, to completion (60 s at most). */
    static Peers.Result tool(String... command) throws IOException {
        return Peers.run(List.of(command), Duration.ofSeconds(60));
    }

    record CliResult(int exitCode, String out, String err) {}

    /** The dicom-relay command, in this JVM. */
    static CliResult cli(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new CliResult(code, out.toString(), err.toString());
    }

    /** "AE@127.0.0.1:port" of router A, for the dicom-relay tools. */
    String atA(String calledAe) {
        return calledAe + "@127.0.0.1:" + portA();
    }

    /**
     * Waits until router A logs that PACS B acknowledged the instance (router A acknowledges a
     * C-STORE once spooled and delivers it in the background; this is the end of that delivery).
     */
    void awaitDelivered(String sopInstanceUid) {
        awaitDeliveredWithin(sopInstanceUid, Duration.ofSeconds(30));
    }

    /** As {@link #awaitDelivered}, for a delivery that waits for a retry (back-off) first. */
    void awaitDeliveredWithin(String sopInstanceUid, Duration atMost) {
        await("delivery of " + sopInstanceUid + " to PACS B").atMost(atMost).pollInterval(Duration.ofMillis(20))
                .until(() -> logs.lines().stream().anyMatch(l -> l.contains("delivered " + sopInstanceUid + " to ")));
    }

    /**
     * The reference C-STORE through both routers: each file stored at router A for PACS B (storescp) on an
     * association of its own, answered Success, then awaited at PACS B and compared with the file byte for byte.
     */
    void storeEachAndAssertByteIdenticalAtPacs(List<Path> files) throws Exception {
        for (Path f : files) {
            org.dicomrelay.dicom.net.service.StorageSource src = org.dicomrelay.dicom.net.service.StorageSource.probe(f);
            try (org.dicomrelay.dicom.net.service.StoreScu scu = org.dicomrelay.dicom.net.service.StoreScu.open("127.0.0.1", portA(), pacsAe,
                    WORKSTATION, List.of(new org.dicomrelay.dicom.net.service.StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())),
                    org.dicomrelay.dicom.net.AssociationOptions.DEFAULT)) {
                org.assertj.core.api.Assertions.assertThat(scu.store(src).status()).as("C-STORE-RSP from router A for %s", f.getFileName()).isZero();
            }
        }
        for (Path f : files) {
            String uid = DataSets.sopInstanceUid(f);
            awaitDelivered(uid);
            Path got = storedByStorescp(pacsDir, uid).orElseThrow(() -> new AssertionError("storescp holds no file for " + uid));
            org.assertj.core.api.Assertions.assertThat(DataSets.bytes(got)).as("data set at PACS B vs the file sent at A, %s", f.getFileName())
                    .isEqualTo(DataSets.bytes(f));
        }
    }

    /** The file storescp (default file names: modality prefix + SOP instance UID) wrote for an instance, if any. */
    static java.util.Optional<Path> storedByStorescp(Path dir, String sopInstanceUid) throws IOException {
        if (!Files.isDirectory(dir)) return java.util.Optional.empty();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith("." + sopInstanceUid) || p.getFileName().toString().equals(sopInstanceUid))
                    .findFirst();
        }
    }

    /** Stops both routers, then the Bridge (its database is written out and closed): what is left on disk is final. */
    void stopRoutersAndBridge() throws IOException {
        if (a != null) a.close();
        if (b != null) b.close();
        a = b = null;
        if (bridge != null) bridge.close();
        bridge = null;
    }

    /** The Bridge's data folder: signing keyset and H2 database. */
    Path bridgeDataDir() {
        return work.resolve("bridge");
    }

    @Override public void close() {
        for (AutoCloseable c : new AutoCloseable[] {a, b, destA, storescpB, orthanc, dcmqrscp, archiveServer, archive, archiveIndex}) {
            if (c == null) continue;
            try {
                c.close();
            } catch (Exception ignored) {
                // shutting down: keep closing the rest
            }
        }
        if (bridge != null) bridge.close();
        RecordingCloudProvider.forget(cloud);
        logs.close();
        deleteTree(work);
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temporary folder left behind is not a test failure
        }
    }
}
