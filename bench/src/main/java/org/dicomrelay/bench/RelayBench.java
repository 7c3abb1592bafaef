package org.dicomrelay.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dicomrelay.bridge.BridgeConfig;
import org.dicomrelay.bridge.BridgeServer;
import org.dicomrelay.bridge.BridgeTls;
import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomOutputStream;
import org.dicomrelay.dicom.io.FileMetaInformation;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DimseResponse;
import org.dicomrelay.dicom.net.PendingRequest;
import org.dicomrelay.dicom.net.service.QueryRetrieveModel;
import org.dicomrelay.dicom.net.service.QueryRetrieveScu;
import org.dicomrelay.dicom.net.service.Verification;
import org.dicomrelay.router.RouterApp;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Issue 10's benchmark: the relay against direct DICOM in one run, printed as one table of goals
 * and measured values side by side ({@link Goals}), after a table of the runs' details.
 *
 * <ol>
 *   <li>lan: storescu → storescp directly, against storescu → router A → Bridge → router B →
 *       storescp, on the same generated files (MR-like 128 KB, CT 512 KB, 50 MB multi-frame); the
 *       time runs until the last instance is whole in storescp's folder (polled). Median of
 *       RELAY_RUNS (3) runs, direct and relay alternating. From the same runs: the first instance
 *       at B (storescu's first C-STORE request, from its log, to the first whole file at
 *       storescp) and the routers' CPU milliseconds per relayed object (their processes' CPU
 *       time; on two hosts only, where each router is a process of its own).</li>
 *   <li>find: C-FIND STUDY-level latency, our {@link QueryRetrieveScu} to dcmqrscp directly and
 *       through the routers, alternating query by query.</li>
 *   <li>wan: every router ↔ Bridge connection through a {@link DelayProxy} (25 ms each way,
 *       200 Mbit/s shared per direction), against storescu → storescp through the same proxy, on
 *       300 MR-like files; C-FIND through it both ways too.</li>
 *   <li>iso: per-destination isolation (issue 10 item 5): storescu -> A -> B -> a second storescp,
 *       alone, then with the first storescp killed and objects queued for it at router A; the
 *       throughput lost, goal at most 10%.</li>
 *   <li>providers (loopback only): the LAN rows (200 CT, 1,000 MR) with the routers on each Cloud IO
 *       provider, its emulator on 127.0.0.1 ({@link ProviderCloud}), against direct DICOM; one table, a
 *       row per provider, "skipped: why" where an emulator cannot run here.</li>
 *   <li>wan-s3 (loopback only): the wan part with the routers on S3Proxy and ElasticMQ, every router
 *       connection (Bridge, S3, SQS) through the same {@link DelayProxy} link.</li>
 *   <li>heap (two hosts only): both routers restarted with -Xmx256m and -Xlog:gc relay one 2 GB
 *       object, generated into WORKDIR and deleted after; the peak heap from the GC log.</li>
 *   <li>store: the toolkit's rows of {@link StoreBench} (bench/store-throughput.sh), run as a process.</li>
 * </ol>
 *
 * On loopback the Bridge and routers run in this JVM (RELAY_CLOUD=bridge: the Bridge's store,
 * else a filesystem cloud). With RELAY_HOSTS set ({@code bench/relay.sh --hosts}, {@link TwoHosts})
 * they are processes of the shaded jar on three hosts (network namespaces): the modality's side
 * here on host A, router B and the PACS on host B, the Bridge (HTTPS, pinned) and the proxy on
 * host C; direct DICOM crosses the same links.
 *
 * Usage: RelayBench WORKDIR SHIM_SO [mr=1000] [images=200] [multiframes=2] [queries=200] [wan=300].
 * Environment: RELAY_ONLY (comma-separated parts, default lan,find,wan,iso,providers,wan-s3,heap,store); RELAY_RUNS;
 * RELAY_PROVIDERS, RELAY_PROVIDER_ROWS (the providers part's rows and data sets);
 * RELAY_STATE, where the routers keep their state (default under WORKDIR, on disk); RELAY_CLOUD;
 * RELAY_LAN_ROWS, the LAN rows to time (default mr,ct,mf); RELAY_WARMUP, untimed passes of the MR set before measuring (default: enough for
 * {@link #LAN_WARM_OBJECTS} objects before the LAN rows, {@link #ROUTER_WARM_OBJECTS} after a restart of the routers);
 * RELAY_SET_WARMUP, untimed passes of each LAN set before its own runs (2); RELAY_BIG_FRAMES, frames of 512 KB in the big object
 * (default 4000: 2.1 GB); RELAY_JAR, the shaded jar (StoreBench and the two hosts); RELAY_THREADS,
 * print CPU time per thread (one JVM) or per component (two hosts) after each relayed run.
 */
public final class RelayBench {
    private static final String SCU = "STORESCU", SCP = "STORESCP", QR = "QRSCP", FINDSCU = "FINDSCU";
    /** The isolation part's second PACS behind router B (as many characters as SCP: same file sizes either way). */
    private static final String SCP2 = "STORESC2";
    private static final int WARMUP_QUERIES = 20;
    /** Objects a router's JVM relays before its AES-GCM (Tink's and TLS's) runs C2-compiled with the CPU's intrinsics. */
    private static final int ROUTER_WARM_OBJECTS = 800;
    /**
     * Objects relayed before the LAN rows, which compare throughput with a C++ peer: the Bridge's request paths
     * (Jetty, H2, Jdbi) are still being C2-compiled after 800 (profiled: 17-36% of each JVM's CPU in the timed
     * runs went to the compiler threads), as a long-running Bridge and routers are not.
     */
    private static final int LAN_WARM_OBJECTS = 8000;
    private static final List<String> PARTS = List.of("lan", "find", "wan", "iso", "providers", "wan-s3", "heap", "store");
    private static final String PROVIDERS = "Cloud IO providers, LAN relay/direct", WAN_S3 = "WAN on S3: relay vs direct";
    /** Issue 10's emulated WAN (RELAY_WAN_DELAY_MS, RELAY_WAN_MBIT to try others; 0 Mbit/s: unlimited). */
    private static final long WAN_DELAY_MS = Long.parseLong(System.getenv().getOrDefault("RELAY_WAN_DELAY_MS", "25")),
            WAN_MBIT = Long.parseLong(System.getenv().getOrDefault("RELAY_WAN_MBIT", "200"));
    private static final String MR = "1.2.840.10008.5.1.4.1.1.4", CT = "1.2.840.10008.5.1.4.1.1.2", MULTIFRAME = "1.2.840.10008.5.1.4.1.1.7.3";
    /** What storescu -v logs as it sends a C-STORE request. */
    private static final String STORE_REQUEST = "Sending Store Request";
    /** A G1 pause in -Xlog:gc: "... 123M->45M(256M) 3.4ms"; group 1 and 2: the heap used before it. */
    private static final Pattern GC_PAUSE = Pattern.compile("(\\d+)([KMG])->\\d+[KMG]\\(\\d+[KMG]\\)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path work;
    private final Path shim;
    private final Set<String> only;
    private final int runs = Integer.parseInt(System.getenv().getOrDefault("RELAY_RUNS", "3"));
    /** How long a relayed run may take before its goal is reported missed. */
    private final int timeout = Integer.parseInt(System.getenv().getOrDefault("RELAY_TIMEOUT", "300"));
    private final Goals goals = new Goals();
    private final List<String[]> details = new ArrayList<>();
    /** The two-host run's hosts, or null on this host's loopback. */
    private TwoHosts hosts;
    /** Whether the routers share a folder (the filesystem store, one JVM): the set-up of issue 9's figures. */
    private boolean sharedFolder;
    /** Where this JVM and storescu reach the PACS (storescp, dcmqrscp): loopback, or host B's address. */
    private String pacsHost = "127.0.0.1";
    private final List<Process> processes = new ArrayList<>();
    private final List<AutoCloseable> running = new ArrayList<>();

    // the relay
    private Path received, state, mem;
    /** The routers' cloud section of the other parts: a filesystem folder, or null (the Bridge's store). */
    private RouterConfig.Cloud baseCloud;
    private int storescpPort, qrPort;
    /** The PACS (storescp) behind router B: the first, and the isolation part's second. */
    private Pacs pacs1, pacs2;
    private List<String> patientIds;
    private URI bridgeUrl;
    private BridgeAdmin bridgeAdmin;
    private RouterConfig configA, configB;
    private Path yamlA, yamlB;
    /** The routers in this JVM (one host), null when stopped or on two hosts. */
    private RouterApp routerA, routerB;
    private int portA;
    /** storescu's seconds in the last {@link #calibrate} run. */
    private double calibrated;

    /** A storescp behind router B: its AE title, port, folder and process (null once stopped). */
    private static final class Pacs {
        final String ae;
        final int port;
        final Path received;
        final List<String> command;
        Process process;

        Pacs(String ae, int port, Path received) {
            this.ae = ae;
            this.port = port;
            this.received = received;
            this.command = List.of("storescp", "-aet", ae, "-od", received.toString(), String.valueOf(port));
        }
    }

    /** A folder of generated objects. */
    private record DataSet(String name, Path dir, long bytes, int count) {}

    /** One storescu run, in seconds from its start: its own end, the first and the last whole file at storescp; first: from its first C-STORE request. */
    private record Run(double scuDone, double first, double done) {}

    /** A relayed run and the CPU time it cost (ns): router A's, router B's (-1 in one JVM), and the relay's (Bridge and routers). */
    private record Relayed(Run run, long cpuA, long cpuB, long cpuAll) {}

    private RelayBench(Path work, Path shim, Set<String> only) {
        this.work = work;
        this.shim = shim;
        this.only = only;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: RelayBench WORKDIR SHIM_SO [mr=1000] [images=200] [multiframes=2] [queries=200] [wan=300]");
            System.exit(2);
        }
        Path work = Files.createDirectories(Path.of(args[0]).toAbsolutePath());
        Path shim = Path.of(args[1]).toAbsolutePath();
        int[] n = {1000, 200, 2, 200, 300};
        for (int i = 2; i < args.length && i < 7; i++) n[i - 2] = Integer.parseInt(args[i]);
        Set<String> only = new HashSet<>(List.of(System.getenv().getOrDefault("RELAY_ONLY", String.join(",", PARTS)).split(",")));
        if (!PARTS.containsAll(only)) throw new IllegalArgumentException("RELAY_ONLY takes " + PARTS + ", not " + only);
        // Component logs only when something goes wrong: the per-object INFO lines would cost time.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        RelayBench b = new RelayBench(work, shim, only);
        try {
            b.run(n[0], n[1], n[2], n[3], n[4]);
        } finally {
            b.stop();
            b.goals.print(); // whatever was measured before a failure
        }
        System.exit(0); // the Bridge's and routers' non-daemon threads must not keep the JVM
    }

    private void run(int mrCount, int images, int multiframes, int queries, int wanCount) throws Exception {
        hosts = TwoHosts.fromEnvironment(work);
        if (hosts != null) {
            running.add(hosts);
            pacsHost = hosts.addressB;
        }
        DataSet mr = generate("relay-mr", mrCount + " MR 128 KB", mrCount, 1, 256, MR);
        DataSet ct = generate("relay-ct", images + " CT 512x512x16", images, 1, 512, CT);
        DataSet mf = generate("relay-multiframe", multiframes + " multi-frame 50 MB", multiframes, 100, 512, MULTIFRAME);

        // Received files and the cloud go to memory when possible: disk write-back must not decide the ratio.
        Path shm = Path.of("/dev/shm");
        mem = Files.isDirectory(shm) && Files.isWritable(shm) ? shm.resolve("relaybench-" + ProcessHandle.current().pid()) : work.resolve("mem");
        StoreBench.clean(mem);
        running.add(() -> delete(mem));
        state = StoreBench.clean(Path.of(System.getenv().getOrDefault("RELAY_STATE", work.resolve("relay-state").toString())).toAbsolutePath());
        running.add(() -> delete(state));
        received = Files.createDirectories(mem.resolve("storescp"));
        Path cloud = Files.createDirectories(mem.resolve("cloud"));

        // ---- the PACS side: storescp and dcmqrscp (DCMTK)
        storescpPort = StoreBench.freePort();
        pacs1 = new Pacs(SCP, storescpPort, received);
        pacs1.process = server(pacs1.command, storescpPort);
        // the isolation part's second PACS, a route of its own behind router B
        pacs2 = new Pacs(SCP2, StoreBench.freePort(), Files.createDirectories(mem.resolve("storescp-2")));
        pacs2.process = server(pacs2.command, pacs2.port);
        qrPort = StoreBench.freePort();
        Path qrDb = Files.createDirectories(mem.resolve("qr-db"));
        patientIds = queryDatabase(qrDb, 20);
        Path cfg = mem.resolve("dcmqrscp.cfg");
        Files.writeString(cfg, "NetworkTCPPort = " + qrPort + "\nMaxPDUSize = 16384\nMaxAssociations = 16\n"
                + "HostTable BEGIN\nHostTable END\nVendorTable BEGIN\nVendorTable END\n"
                + "AETable BEGIN\n" + QR + " " + qrDb + " R (200, 1024mb) ANY\nAETable END\n");
        server(List.of("dcmqrscp", "-c", cfg.toString()), qrPort);

        // ---- the relay: Bridge, router B (exports the PACS), router A (the modality's side)
        String admin = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        boolean bridgeStore = hosts != null || "bridge".equals(System.getenv().getOrDefault("RELAY_CLOUD", "filesystem"));
        Path bridgeData = bridgeStore ? mem.resolve("bridge") : state.resolve("bridge");
        sharedFolder = !bridgeStore;
        String fingerprint; // null: plain HTTP on loopback
        if (hosts == null) {
            BridgeServer bridge = BridgeServer.start(BridgeConfig.builder().bind("127.0.0.1").port(0)
                    .dataDir(bridgeData).adminToken(admin).tls(BridgeTls.disabled()).build());
            running.add(bridge);
            bridgeUrl = bridge.url();
            fingerprint = null;
        } else {
            // across hosts the routers refuse plain HTTP: the Bridge's default HTTPS, pinned by the fingerprint it prints
            TwoHosts.Bridge bridge = hosts.startBridge(bridgeData, admin, work);
            bridgeUrl = bridge.url();
            fingerprint = bridge.fingerprint();
        }
        bridgeAdmin = new BridgeAdmin(bridgeUrl, fingerprint, admin);
        RouterConfig.Cloud fs = bridgeStore ? null : new RouterConfig.Cloud("filesystem", Map.of("root", cloud.toString()));
        baseCloud = fs;
        // No bridgeUrl in the configurations: the enrollment's URL is used, which pointRoutersAt moves to the WAN proxy. A
        // configured bridgeUrl wins over the enrollment's (BridgeEndpoint), and had the routers bypass the proxy.
        configA = new RouterConfig("hospital-a", state.resolve("a").toString(), "ROUTER_A", "127.0.0.1", 0, null, fs,
                "spool", List.of(new Device(SCU, "127.0.0.1", 1, List.of(), List.of(), false),
                new Device(FINDSCU, "127.0.0.1", 1, List.of(), List.of(), false)));
        // ROUTER_B has as many characters as STORESCU: storescp's files (their meta header names the caller) are
        // then the same size either way, which tells when each is complete.
        configB = new RouterConfig("hospital-b", state.resolve("b").toString(), "ROUTER_B", "127.0.0.1", 0, null, fs,
                "spool", List.of(new Device(SCP, "127.0.0.1", storescpPort, List.of("store", "echo"), List.of(), true),
                new Device(SCP2, "127.0.0.1", pacs2.port, List.of("store", "echo"), List.of(), true),
                new Device(QR, "127.0.0.1", qrPort, List.of("find"), List.of(), true)));
        // RELAY_COMPRESSION=zstd|deflate: router A compresses what it sends (uncompressed syntaxes only); default none.
        configA = configA.withCompression(org.dicomrelay.router.config.Compression.everywhere(
                org.dicomrelay.router.link.PayloadCodec.of(System.getenv().getOrDefault("RELAY_COMPRESSION", "none"))));
        for (RouterConfig c : List.of(configA, configB)) RouterApp.enroll(c, bridgeUrl, fingerprint, bridgeAdmin.enrollmentToken(c.routerId()));
        // the access matrix grants nothing by default; C-ECHO tells when restarted routers relay again
        bridgeAdmin.grant("hospital-a", SCP, "store", "echo");
        bridgeAdmin.grant("hospital-a", SCP2, "store", "echo");
        bridgeAdmin.grant("hospital-a", QR, "find");
        if (hosts != null) {
            yamlA = work.resolve("hosts-router-a.yaml");
            yamlB = work.resolve("hosts-router-b.yaml");
            configA.save(yamlA);
            configB.save(yamlB);
        }
        startRouters(List.of(), List.of());

        System.out.printf("relay: Bridge %s, router A :%d; cloud %s; routers' state (spool) %s; storescp -> %s; parts %s; compression %s%n",
                bridgeUrl, portA, bridgeStore ? "at the Bridge" : cloud, state, received, only, configA.compression().defaultCodec().wireName());
        if (hosts != null) {
            System.out.printf("two hosts: this JVM, storescu and router A on %s; router B, storescp and dcmqrscp on %s (%s); the Bridge and the"
                    + " WAN proxy on %s (%s); direct DICOM goes A -> C -> B%n", hosts.nsA, hosts.nsB, hosts.addressB, hosts.nsC, hosts.bridgeAddress);
        }

        // a part that fails is reported as missed, and the others still run
        if (only.contains("lan")) part("LAN relay/direct", ">= 0.5x", () -> lan(mr, ct, mf));
        else {
            goals.notMeasured("LAN relay/direct", ">= 0.5x", "left out (--only)");
            goals.notMeasured("LAN first instance at B", "<= 1 s", "left out (--only)");
        }
        if (only.contains("find")) part("C-FIND added latency p50, LAN", "<= 10 ms", () -> find("LAN", pacsHost, qrPort, queries, 10.0));
        else goals.notMeasured("C-FIND added latency p50, LAN", "<= 10 ms", "left out (--only)");
        if (only.contains("wan")) {
            part("WAN relay vs direct", ">= 5x", () -> wan(generate("relay-mr-wan", wanCount + " MR 128 KB", wanCount, 1, 256, MR), Math.min(queries, 50)));
        } else goals.notMeasured("WAN relay vs direct", ">= 5x", "left out (--only)");
        if (only.contains("iso")) {
            part(ISOLATION, "<= 10% loss", () -> isolation(generate("relay-mr-wan", wanCount + " MR 128 KB", wanCount, 1, 256, MR),
                    generate("relay-mr-iso", wanCount + " MR 128 KB", wanCount, 1, 256, MR)));
        } else goals.notMeasured(ISOLATION, "<= 10% loss", "left out (--only)");
        if (!only.contains("providers")) goals.info(PROVIDERS, "left out (--only)");
        else if (hosts != null) goals.info(PROVIDERS, "loopback only (the emulators run on this host): run without --hosts");
        else part(PROVIDERS, null, () -> providers(ct, mr));
        if (!only.contains("wan-s3")) goals.notMeasured(WAN_S3, ">= 5x", "left out (--only)");
        else if (hosts != null) goals.notMeasured(WAN_S3, ">= 5x", "loopback only (the emulators run on this host): run without --hosts");
        else part(WAN_S3, ">= 5x", () -> wanS3(generate("relay-mr-wan", wanCount + " MR 128 KB", wanCount, 1, 256, MR)));
        if (!only.contains("heap")) goals.notMeasured("2 GB object, routers -Xmx256m", "delivered", "left out (--only)");
        else if (hosts == null) goals.notMeasured("2 GB object, routers -Xmx256m", "delivered", "needs --hosts (the routers share this JVM)");
        else part("2 GB object, routers -Xmx256m", "delivered", this::heap);
        stopRouters();
        if (only.contains("store")) part("toolkit store vs DCMTK", ">= 1.0x", this::store);
        else goals.notMeasured("toolkit store vs DCMTK", ">= 1.0x", "left out (--only)");
        printDetails();
    }

    // ---- the parts

    private interface Part {
        void run() throws Exception;
    }

    /** Runs a part; if it fails (e.g. the relay does not deliver in time) its goal is reported missed, with the cause. */
    private void part(String what, String goal, Part p) {
        try {
            p.run();
        } catch (Exception e) {
            String cause = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            System.err.println(what + ": " + cause);
            goals.add(what, goal, "failed: " + cause, false);
            try {
                if (routerA == null && (hosts == null || !hosts.routersAlive())) {
                    stopRouters();
                    startRouters(List.of(), List.of());
                }
            } catch (Exception again) {
                System.err.println("restarting the routers: " + (again.getMessage() != null ? again.getMessage() : again.getClass().getSimpleName()));
            }
        }
    }

    /**
     * Issue 9 (the networked store, TLS, sessions) must not make the relay slower than its figures,
     * measured before it in the set-up it had then: one JVM on loopback, the routers sharing a folder.
     * Two hosts over HTTPS add the Bridge's leg (two more TCP crossings, TLS both ways, its disk) that
     * those figures never paid, so the floor is checked in that set-up: {@code bench/relay.sh} without --hosts.
     */
    private void issue9Floor(double floor, DataSet set, double ratio) {
        if (floor == 0) return;
        String what = "issue 9: LAN " + set.name() + ", its set-up";
        String goal = String.format(">= %.2fx", floor);
        if (sharedFolder) goals.add(what, goal, String.format("%.2fx (one JVM, shared folder, as before it)", ratio), ratio >= floor);
        else goals.notMeasured(what, goal, "one JVM with a shared folder: run without --hosts");
    }

    private void lan(DataSet mr, DataSet ct, DataSet mf) throws Exception {
        // A router is a long-running service: measure it warm (its JIT compiles the AES-GCM intrinsics after ~700
        // objects). In one JVM the GCM warm-up stands in for part of that; the routers' own JVMs warm up only by relaying.
        if (hosts == null) warmUpAesGcm();
        Map<String, Long> expectedMr = calibrate(mr);
        int passes = warmupPasses(mr.count(), LAN_WARM_OBJECTS);
        for (int i = 0; i < passes; i++) relayed(mr, expectedMr, timeout);
        double[] firstRelay = null, firstDirect = null;
        long cpuA = 0, cpuB = 0;
        // RELAY_LAN_ROWS (mr,ct,mf by default): the rows to time, e.g. mf alone while working on large objects.
        List<String> rows = List.of(System.getenv().getOrDefault("RELAY_LAN_ROWS", "mr,ct,mf").split(","));
        for (DataSet set : List.of(mr, ct, mf)) {
            if (!rows.contains(set == mr ? "mr" : set == ct ? "ct" : "mf")) continue;
            Map<String, Long> expected = set == mr ? expectedMr : calibrate(set);
            Run[] direct = new Run[runs];
            Relayed[] relay = new Relayed[runs];
            for (int i = 0; i < setWarmupPasses(); i++) relayed(set, expected, timeout);
            for (int i = 0; i < runs; i++) {
                direct[i] = storescu(pacsHost, storescpPort, set, expected, timeout);
                relay[i] = relayed(set, expected, timeout);
            }
            double d = median(direct, Run::done), r = median(Arrays.stream(relay).map(Relayed::run).toArray(Run[]::new), Run::done);
            double objects = (double) runs * set.count();
            double msA = Arrays.stream(relay).mapToLong(Relayed::cpuA).sum() / objects / 1e6;
            double msB = Arrays.stream(relay).mapToLong(Relayed::cpuB).sum() / objects / 1e6;
            double msAll = Arrays.stream(relay).mapToLong(Relayed::cpuAll).sum() / objects / 1e6;
            details.add(detail("LAN " + set.name(), "storescu -> storescp", set, d, median(direct, Run::first), median(direct, Run::scuDone), "", ""));
            details.add(detail("LAN " + set.name(), "storescu -> A -> Bridge -> B -> storescp", set, r,
                    median(Arrays.stream(relay).map(Relayed::run).toArray(Run[]::new), Run::first),
                    median(Arrays.stream(relay).map(Relayed::run).toArray(Run[]::new), Run::scuDone),
                    hosts == null ? String.format("all %.1f", msAll) : String.format("A %.2f B %.2f", msA, msB), String.format("%.2fx", d / r)));
            goals.add("LAN " + set.name() + ": relay/direct", ">= 0.5x", String.format("%.2fx (relay %.2f s, direct %.2f s)", d / r, r, d), d / r >= 0.5);
            issue9Floor(set == ct ? 0.10 : set == mf ? 0.54 : 0, set, d / r);
            if (set == mr) {
                firstRelay = Arrays.stream(relay).mapToDouble(x -> x.run().first()).toArray();
                firstDirect = Arrays.stream(direct).mapToDouble(Run::first).toArray();
                cpuA = Math.round(msA * 1000);
                cpuB = Math.round(msB * 1000);
            }
        }
        if (firstRelay == null) {
            goals.notMeasured("LAN first instance at B", "<= 1 s", "left out (RELAY_LAN_ROWS)");
            return;
        }
        double first = median(firstRelay);
        goals.add("LAN first instance at B (" + mr.name() + ")", "<= 1 s", String.format("%.3f s (direct %.3f s)", first, median(firstDirect)), first <= 1.0);
        if (hosts == null) {
            goals.notMeasured("CPU per object, router A", "<= 2 ms", "needs --hosts (Bridge and routers share this JVM)");
            goals.notMeasured("CPU per object, router B", "<= 2 ms", "needs --hosts (Bridge and routers share this JVM)");
        } else {
            goals.add("CPU per object, router A (" + mr.name() + ")", "<= 2 ms", String.format("%.2f ms", cpuA / 1000.0), cpuA <= 2000);
            goals.add("CPU per object, router B (" + mr.name() + ")", "<= 2 ms", String.format("%.2f ms", cpuB / 1000.0), cpuB <= 2000);
        }
    }

    /** C-FIND latencies to dcmqrscp at {@code host:port} (direct) and through router A; p50 goal {@code goalMs} (0: none). */
    private void find(String link, String host, int port, int queries, double goalMs) throws IOException {
        find(link, host, port, queries, goalMs, 0);
    }

    /**
     * As above over a link of {@code delayMs} each way (0: none). Both associations stay open, so
     * direct DICOM crosses the link twice per query (C-FIND-RQ there, responses back); a relayed
     * query crosses it four times (A -> Bridge, Bridge -> B's long poll, B -> Bridge, Bridge -> A's
     * long poll; router B sends its last match with the final status, one frame): a query adds two
     * one-way delays at least (+50 ms at 25 ms). A
     * relayed p50 below four one-way delays means some leg bypassed the emulated link, and the row
     * says so instead of quoting the figure.
     */
    private void find(String link, String host, int port, int queries, double goalMs, long delayMs) throws IOException {
        double[][] lat = findLatencies(host, port, portA, queries);
        double d50 = percentile(lat[0], 50), r50 = percentile(lat[1], 50), d99 = percentile(lat[0], 99), r99 = percentile(lat[1], 99);
        String measured = String.format("+%.1f ms (p99 +%.1f ms; direct p50 %.1f, p99 %.1f ms)", r50 - d50, r99 - d99, d50, d99);
        if (delayMs > 0) {
            measured += r50 < 4 * delayMs
                    ? String.format("; INVALID: relayed p50 %.1f ms is below the %d ms its four crossings of the link take: a leg bypassed the proxy", r50, 4 * delayMs)
                    : String.format("; floor +%d ms (relayed: 4 crossings; direct: 2)", 2 * delayMs);
        }
        String what = "C-FIND added latency p50, " + link + " (" + queries + " queries)";
        if (goalMs > 0) goals.add(what, "<= " + (int) goalMs + " ms", measured, r50 - d50 <= goalMs);
        else goals.info(what, measured);
    }

    private void wan(DataSet set, int queries) throws Exception {
        Map<String, Long> expected = calibrate(set);
        String wanHost;
        List<Integer> ports;
        List<String> targets = List.of(bridgeUrl.getHost() + ":" + bridgeUrl.getPort(), pacsHost + ":" + storescpPort, pacsHost + ":" + qrPort);
        if (hosts != null) {
            wanHost = hosts.bridgeAddress;
            ports = hosts.startProxy(WAN_DELAY_MS, WAN_MBIT, targets);
        } else {
            wanHost = "127.0.0.1";
            ports = loopbackLink(targets);
        }
        stopRouters();
        pointRoutersAt(URI.create(bridgeUrl.getScheme() + "://" + wanHost + ":" + ports.get(0)));
        try {
            startRouters(List.of(), List.of());
            System.out.printf("WAN: %d ms each way, %d Mbit/s per direction: the routers reach the Bridge through %s:%d%n", WAN_DELAY_MS, WAN_MBIT,
                    wanHost, ports.get(0));
            // the restarted routers' JVMs: one untimed pass
            if (warmupPasses(ROUTER_WARM_OBJECTS) > 0) relayed(set, expected, timeout);
            Run direct = storescu(wanHost, ports.get(1), set, expected, timeout);
            Relayed[] relay = new Relayed[runs];
            for (int i = 0; i < runs; i++) relay[i] = relayed(set, expected, timeout);
            double r = median(Arrays.stream(relay).map(Relayed::run).toArray(Run[]::new), Run::done);
            details.add(detail("WAN " + set.name(), "storescu -> proxy -> storescp", set, direct.done(), direct.first(), direct.scuDone(), "", ""));
            details.add(detail("WAN " + set.name(), "storescu -> A -> proxy -> Bridge -> B", set, r,
                    median(Arrays.stream(relay).map(Relayed::run).toArray(Run[]::new), Run::first),
                    median(Arrays.stream(relay).map(Relayed::run).toArray(Run[]::new), Run::scuDone), "", String.format("%.2fx", direct.done() / r)));
            goals.add("WAN " + set.name() + ": relay vs direct", ">= 5x", String.format("%.2fx (relay %.2f s, direct %.2f s; goal <= %.1f s)",
                    direct.done() / r, r, direct.done(), direct.done() / 5), direct.done() / r >= 5);
            if (only.contains("find")) find("WAN", wanHost, ports.get(2), queries, 0, WAN_DELAY_MS);
        } finally {
            stopRouters();
            pointRoutersAt(bridgeUrl);
        }
    }

    /**
     * Issue 12: the LAN rows with the routers on each Cloud IO provider ({@link ProviderCloud#NAMES};
     * RELAY_PROVIDERS a subset), the emulators on loopback, relay against direct DICOM as in the
     * lan part; one table, a row per provider, a column per data set (RELAY_PROVIDER_ROWS: ct,mr by
     * default). A provider whose emulator cannot run here is a row "skipped: why".
     */
    private void providers(DataSet ct, DataSet mr) throws Exception {
        List<String> names = List.of(System.getenv().getOrDefault("RELAY_PROVIDERS", String.join(",", ProviderCloud.NAMES)).split(","));
        List<String> rows = List.of(System.getenv().getOrDefault("RELAY_PROVIDER_ROWS", "ct,mr").split(","));
        List<DataSet> sets = new ArrayList<>();
        if (rows.contains("ct")) sets.add(ct);
        if (rows.contains("mr")) sets.add(mr);
        if (!only.contains("lan")) warmUpAesGcm();
        Map<DataSet, Map<String, Long>> expected = new HashMap<>();
        for (DataSet set : sets) expected.put(set, calibrate(set));
        List<String[]> table = new ArrayList<>();
        try {
            for (String name : names) {
                String[] row = new String[sets.size() + 1];
                row[0] = name;
                table.add(row);
                ProviderCloud provider;
                try {
                    provider = ProviderCloud.start(name, mem);
                } catch (ProviderCloud.Unavailable e) {
                    row[1] = "skipped: " + e.getMessage();
                    goals.info("provider " + name + ": LAN relay/direct", row[1]);
                    continue;
                }
                try {
                    onCloud(provider.cloud);
                    relayed(sets.get(0), expected.get(sets.get(0)), timeout); // untimed: the provider's code paths and connections
                    List<String> summary = new ArrayList<>();
                    for (int s = 0; s < sets.size(); s++) {
                        DataSet set = sets.get(s);
                        Run[] direct = new Run[runs];
                        Run[] relay = new Run[runs];
                        for (int i = 0; i < runs; i++) {
                            direct[i] = storescu(pacsHost, storescpPort, set, expected.get(set), timeout);
                            relay[i] = relayed(set, expected.get(set), timeout).run();
                        }
                        double d = median(direct, Run::done), r = median(relay, Run::done);
                        row[s + 1] = String.format("%.2fx (relay %.2f s, direct %.2f s)", d / r, r, d);
                        details.add(detail("LAN " + set.name(), "storescu -> A -> " + name + " -> B -> storescp", set, r, median(relay, Run::first),
                                median(relay, Run::scuDone), "", String.format("%.2fx", d / r)));
                        summary.add(String.format("%s %.2fx (%.2f/%.2f s)", set == ct ? "CT" : "MR", d / r, r, d));
                    }
                    goals.info("provider " + name + ": LAN relay/direct (relay/direct s)", String.join(", ", summary));
                } catch (Exception e) {
                    String cause = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
                    for (int s = 1; s < row.length; s++) if (row[s] == null) row[s] = "failed: " + cause;
                    goals.info("provider " + name + ": LAN relay/direct", "failed: " + cause);
                } finally {
                    stopRouters();
                    provider.close();
                }
            }
        } finally {
            printProviders(sets, table);
            onCloud(baseCloud);
        }
    }

    private void printProviders(List<DataSet> sets, List<String[]> table) {
        System.out.printf("%nCloud IO providers, LAN on loopback: relay (storescu -> A -> provider -> B -> storescp) / direct (storescu -> storescp),"
                + " median of %d runs%n", runs);
        StringBuilder format = new StringBuilder("%-14s");
        for (int i = 0; i < sets.size(); i++) format.append(" %-44s");
        format.append("%n");
        Object[] header = new Object[sets.size() + 1];
        header[0] = "provider";
        for (int i = 0; i < sets.size(); i++) header[i + 1] = sets.get(i).name();
        System.out.printf(format.toString(), header);
        for (String[] row : table) {
            Object[] cells = Arrays.stream(row).map(c -> c == null ? "" : c).toArray();
            System.out.printf(format.toString(), cells);
        }
    }

    /** Restarts both routers on {@code cloud} (null: the Bridge's store) and waits until they relay. */
    private void onCloud(RouterConfig.Cloud cloud) throws Exception {
        stopRouters();
        configA = withCloud(configA, cloud);
        configB = withCloud(configB, cloud);
        startRouters(List.of(), List.of());
    }

    private static RouterConfig withCloud(RouterConfig c, RouterConfig.Cloud cloud) {
        return new RouterConfig(c.routerId(), c.stateDir(), c.aeTitle(), c.bind(), c.port(), c.bridgeUrl(), cloud, c.storeAck(), c.devices(),
                c.remoteAck(), c.associations(), c.retry(), c.limits(), c.tls(), c.link(), c.compression(), c.console());
    }

    /**
     * Issue 12: the wan part with the routers on S3 (S3Proxy) and SQS (ElasticMQ), every router
     * connection (Bridge, S3Proxy, ElasticMQ) through one emulated link, against storescu ->
     * storescp through the same link. The routers' settings name only the proxies' addresses
     * (checked), and their enrollment names the Bridge's proxy: nothing bypasses the link.
     */
    private void wanS3(DataSet set) throws Exception {
        Map<String, Long> expected = calibrate(set);
        if (!only.contains("lan") && !only.contains("providers")) warmUpAesGcm();
        try (ProviderCloud s3 = ProviderCloud.start("s3", mem)) {
            List<String> targets = new ArrayList<>(List.of(bridgeUrl.getHost() + ":" + bridgeUrl.getPort(), pacsHost + ":" + storescpPort));
            for (URI e : s3.endpoints()) targets.add(e.getHost() + ":" + e.getPort());
            List<Integer> ports = loopbackLink(targets);
            Map<String, Integer> proxyOf = new HashMap<>();
            for (int i = 0; i < targets.size(); i++) proxyOf.put(targets.get(i), ports.get(i));
            RouterConfig.Cloud proxied = s3.through(e -> URI.create(e.getScheme() + "://127.0.0.1:" + proxyOf.get(e.getHost() + ":" + e.getPort())
                    + (e.getRawPath() == null ? "" : e.getRawPath())));
            for (URI e : s3.endpoints()) {
                String direct = e.getHost() + ":" + e.getPort();
                if (proxied.settings().values().stream().anyMatch(v -> v.contains(direct))) {
                    throw new IllegalStateException("the routers' S3 settings still name " + direct + ", not its proxy");
                }
            }
            stopRouters();
            pointRoutersAt(URI.create(bridgeUrl.getScheme() + "://127.0.0.1:" + ports.get(0)));
            try {
                onCloud(proxied);
                System.out.printf("WAN on S3: %d ms each way, %d Mbit/s per direction: the routers reach the Bridge, S3Proxy and ElasticMQ through"
                        + " proxies on 127.0.0.1 %s (Bridge, storescp, S3, SQS)%n", WAN_DELAY_MS, WAN_MBIT, ports);
                relayed(set, expected, timeout); // untimed: the S3 and SQS clients' connections
                Run direct = storescu("127.0.0.1", ports.get(1), set, expected, timeout);
                Relayed[] relay = new Relayed[runs];
                for (int i = 0; i < runs; i++) relay[i] = relayed(set, expected, timeout);
                Run[] relayRuns = Arrays.stream(relay).map(Relayed::run).toArray(Run[]::new);
                double r = median(relayRuns, Run::done);
                details.add(detail("WAN " + set.name(), "storescu -> proxy -> storescp", set, direct.done(), direct.first(), direct.scuDone(), "", ""));
                details.add(detail("WAN " + set.name(), "storescu -> A -> proxy -> S3/SQS -> B", set, r, median(relayRuns, Run::first),
                        median(relayRuns, Run::scuDone), "", String.format("%.2fx", direct.done() / r)));
                goals.add("WAN on S3 " + set.name() + ": relay vs direct", ">= 5x", String.format("%.2fx (relay %.2f s, direct %.2f s; goal <= %.1f s)",
                        direct.done() / r, r, direct.done(), direct.done() / 5), direct.done() / r >= 5);
            } finally {
                stopRouters();
                pointRoutersAt(bridgeUrl);
                onCloud(baseCloud);
            }
        }
    }

    /** One emulated WAN link on loopback (a {@link SharedLink} per direction), a {@link DelayProxy} per target on it; their ports in order. */
    private List<Integer> loopbackLink(List<String> targets) throws IOException {
        SharedLink up = new SharedLink(WAN_DELAY_MS * 1_000_000, WAN_MBIT * 1_000_000), down = new SharedLink(WAN_DELAY_MS * 1_000_000, WAN_MBIT * 1_000_000);
        List<Integer> ports = new ArrayList<>();
        for (String t : targets) {
            DelayProxy p = DelayProxy.start(new InetSocketAddress("127.0.0.1", 0), DelayProxy.address(t), up, down);
            running.add(p);
            ports.add(p.port());
        }
        return ports;
    }

    private static final String ISOLATION = "isolation: route 2 throughput, route 1's PACS dead";

    /**
     * Issue 10 item 5: a dead PACS behind router B costs the other destinations at most 10% of
     * their throughput. Route 2 (storescu -> A -> B -> {@link #SCP2}) alone, both PACS up; then
     * with PACS 1 killed while another storescu sends {@code queued} to it through router A at the
     * same time (A acknowledges from its spool, so they queue there, A probing the dead route and B
     * answering "unreachable"). Then PACS 1 comes back and router A's queue drains (untimed).
     * Alone and dead alternate in pairs and the loss is the median of the pairs': the routers'
     * JIT warming up and the shared machine's load drift over minutes, and must not pass for a
     * loss or a gain. A control run in each round sends route 1 the same objects with its PACS up:
     * the goal compares route 2 with route 1 dead against this control, so that only the dead PACS
     * differs; what route 2 loses to route 1's traffic itself (router A's intake, the relay's CPU
     * on the same cores), control against alone, is printed beside it.
     */
    private void isolation(DataSet set, DataSet queued) throws Exception {
        stopRouters(); // the WAN part leaves them stopped; both routers start afresh on the direct link
        startRouters(List.of(), List.of());
        Map<String, Long> expected = calibrate(set, pacs2);
        calibrate(queued, pacs1);
        // the restarted routers' JVMs warm up by relaying, as in the other parts
        for (int i = 0; i < warmupPasses(set.count()); i++) relayed(set, expected, timeout, pacs2);
        Relayed[] alone = new Relayed[runs], dead = new Relayed[runs], control = new Relayed[runs];
        double[] losses = new double[runs], controlLosses = new double[runs], deadVsControl = new double[runs];
        Path spool = state.resolve("a").resolve("spool");
        long queuedMax = 0;
        for (int i = 0; i < runs; i++) {
            alone[i] = relayed(set, expected, timeout, pacs2);
            control[i] = withTrafficToRoute1(set, expected, queued);
            awaitSpoolEmpty(spool);
            pacs1.process.destroy();
            pacs1.process.waitFor();
            try {
                dead[i] = withTrafficToRoute1(set, expected, queued);
                queuedMax = Math.max(queuedMax, spoolCount(spool));
            } finally {
                pacs1.process = server(pacs1.command, pacs1.port);
            }
            awaitSpoolEmpty(spool); // untimed: PACS 1 is back, router A's queue for it drains at its next probe
            losses[i] = 100 * (1 - alone[i].run().done() / dead[i].run().done());
            controlLosses[i] = 100 * (1 - alone[i].run().done() / control[i].run().done());
            deadVsControl[i] = 100 * (1 - control[i].run().done() / dead[i].run().done());
        }
        java.util.function.Function<Relayed[], String> seconds = rs -> Arrays.stream(rs).map(r -> String.format("%.2f", r.run().done()))
                .collect(java.util.stream.Collectors.joining(" "));
        System.out.printf("isolation runs, s: route 2 alone %s | route 1 up and sent %d (control) %s | route 1 dead and sent %d %s; up to %d"
                + " queued at router A%n", seconds.apply(alone), queued.count(), seconds.apply(control), queued.count(), seconds.apply(dead), queuedMax);
        double a = median(Arrays.stream(alone).map(Relayed::run).toArray(Run[]::new), Run::done);
        double d = median(Arrays.stream(dead).map(Relayed::run).toArray(Run[]::new), Run::done);
        double c = median(Arrays.stream(control).map(Relayed::run).toArray(Run[]::new), Run::done);
        double loss = median(deadVsControl);
        details.add(detail("iso " + set.name(), "A -> B -> " + SCP2 + ", alone", set, a, 0, 0, "", ""));
        details.add(detail("iso " + set.name(), "same, " + queued.count() + " sent to " + SCP + " (up)", set, c, 0, 0, "", String.format("%.2fx", a / c)));
        details.add(detail("iso " + set.name(), "same, " + queued.count() + " sent to " + SCP + " (dead)", set, d, 0, 0, "", String.format("%.2fx", a / d)));
        goals.add(ISOLATION, "<= 10% loss", String.format("%s (median of %d rounds; %.2f s with route 1 dead vs %.2f s with it up, %d sent to it"
                + " either way)", loss(loss), runs, d, c, queued.count()), loss <= 10);
        goals.info("isolation: route 2 with route 1's traffic vs alone", String.format("%s up, %s dead (%.2f s alone; route 1's objects share the cores)",
                loss(median(controlLosses)), loss(median(losses)), a));
    }

    /** Route 2 relays {@code set} while another storescu sends {@code toRoute1} to PACS 1 through router A (which spools them). */
    private Relayed withTrafficToRoute1(DataSet set, Map<String, Long> expected, DataSet toRoute1) throws Exception {
        java.util.concurrent.CompletableFuture<Run> more = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return storescu("127.0.0.1", portA, toRoute1, Map.of(), timeout, pacs1);
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName(), e);
            }
        });
        Relayed r = relayed(set, expected, timeout, pacs2, false);
        more.join();
        return r;
    }

    /** Until router A's spool is empty (what is queued for route 1 delivered); untimed. */
    private void awaitSpoolEmpty(Path spool) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
        while (spoolCount(spool) > 0) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("router A's spool did not drain within " + timeout + " s");
            Thread.sleep(50); // a poll of router A's spool folder: nothing else tells
        }
    }

    private static String loss(double percent) {
        return percent > 0 ? String.format("%.1f%% loss", percent) : String.format("no loss (%.1f%% faster)", -percent);
    }

    private void heap() throws Exception {
        String what = "2 GB object, routers -Xmx256m";
        int frames = Integer.parseInt(System.getenv().getOrDefault("RELAY_BIG_FRAMES", "4000"));
        Path gcA = work.resolve("gc-router-a.log"), gcB = work.resolve("gc-router-b.log");
        Files.deleteIfExists(gcA);
        Files.deleteIfExists(gcB);
        stopRouters();
        startRouters(List.of("-Xmx256m", "-Xlog:gc:file=" + gcA), List.of("-Xmx256m", "-Xlog:gc:file=" + gcB));
        Path dir = work.resolve("relay-big");
        try {
            DataSet big = generate("relay-big", String.format("1 object %.1f GB", frames * 512 * 512 * 2 / 1e9), 1, frames, 512, MULTIFRAME);
            Map<String, Long> expected = calibrate(big);
            String outcome;
            boolean delivered;
            try {
                Relayed r = relayed(big, expected, 3 * timeout);
                delivered = true;
                outcome = String.format("delivered in %.1f s (direct %.1f s)", r.run().done(), calibrated);
                details.add(detail("LAN " + big.name(), "storescu -> A -> Bridge -> B -> storescp", big, r.run().done(), r.run().first(),
                        r.run().scuDone(), "", ""));
            } catch (IllegalStateException | IOException e) {
                delivered = false;
                outcome = "NOT delivered: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
            }
            boolean alive = hosts.routersAlive();
            goals.add(what, "delivered", String.format("%s; peak heap A %d MB, B %d MB%s", outcome, peakHeapMb(gcA), peakHeapMb(gcB),
                    alive ? "" : "; a router died"), delivered && alive);
        } finally {
            StoreBench.clean(received);
            delete(dir);
        }
    }

    /** The toolkit's rows of StoreBench, as bench/store-throughput.sh runs it, in a process of its own. */
    private void store() throws Exception {
        // StoreBench runs our SCU as the command (through the launcher, with its start-up) and warm in its own JVM.
        Path launcher = Path.of("dicom-relay").toAbsolutePath();
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                StoreBench.class.getName(), work.toString(), launcher.toString(), shim.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        // data, path, seconds, MB/s, images/s, ratio to DCMTK, goal, verdict
        Pattern row = Pattern.compile("^(\\d+ .+?)\\s{2,}(ours CLI -> storescp|ours warm -> storescp|storescu -> our SCP)\\s+([\\d.]+)\\s+[\\d.]+\\s+[\\d.]+\\s+([\\d.]+)x\\b.*$");
        int found = 0;
        System.out.println("toolkit: " + String.join(" ", cmd.subList(3, cmd.size())));
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println("  " + line);
                Matcher m = row.matcher(line);
                if (m.matches()) {
                    double ratio = Double.parseDouble(m.group(4));
                    goals.add("toolkit " + m.group(1) + ": " + m.group(2), ">= 1.0x", String.format("%.2fx DCMTK (%s s)", ratio, m.group(3)), ratio >= 1.0);
                    found++;
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0 || found == 0) goals.notMeasured("toolkit store vs DCMTK", ">= 1.0x", "StoreBench exited with " + rc + ", " + found + " rows read");
    }

    // ---- the routers

    private void startRouters(List<String> jvmA, List<String> jvmB) throws Exception {
        // B first: A takes the directory, with B's exported AEs, when it starts
        if (hosts == null) {
            routerB = RouterApp.start(configB);
            routerA = RouterApp.start(configA);
            portA = routerA.port();
        } else {
            hosts.startRouter(hosts.nsB, yamlB, jvmB);
            portA = hosts.startRouter(hosts.nsA, yamlA, jvmA);
        }
        awaitRelay();
    }

    /** Waits until a C-ECHO through router A and router B reaches storescp: the routers found each other. */
    private void awaitRelay() throws Exception {
        long t0 = System.nanoTime(), deadline = t0 + TimeUnit.SECONDS.toNanos(150);
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                int status = Verification.echo("127.0.0.1", portA, SCP, SCU, AssociationOptions.DEFAULT.withArtim(java.time.Duration.ofSeconds(90)));
                if (status == 0) {
                    System.out.printf("routers relay (C-ECHO through A and B to storescp) %.1f s after they started%n", (System.nanoTime() - t0) / 1e9);
                    return;
                }
                last = String.format("status %04XH", status);
            } catch (IOException e) {
                last = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            }
            Thread.sleep(200); // between attempts: the routers are still syncing their directory
        }
        throw new IllegalStateException("no C-ECHO through the relay to storescp within 150 s: " + last);
    }

    private void stopRouters() throws Exception {
        if (hosts != null) {
            hosts.stopRouters();
            return;
        }
        for (RouterApp r : new RouterApp[] {routerA, routerB}) {
            if (r != null) r.close();
        }
        routerA = routerB = null;
    }

    /** The routers' enrollment (their credentials file) names the Bridge's URL: the WAN's proxy, or the Bridge again. */
    private void pointRoutersAt(URI url) throws IOException {
        for (RouterConfig c : List.of(configA, configB)) {
            Path f = Path.of(c.stateDir()).resolve("bridge-credentials.json");
            ObjectNode creds = (ObjectNode) JSON.readTree(f.toFile());
            creds.put("bridgeUrl", url.toString());
            Files.write(f, JSON.writeValueAsBytes(creds)); // an existing file: its 0600 stays
        }
    }

    private long routerCpu(boolean a) {
        return hosts == null ? -1 : hosts.routerCpuNanos(a ? hosts.nsA : hosts.nsB);
    }

    // ---- runs

    /** A direct run for the sizes of the files storescp writes (which tell when each is whole); its seconds in {@link #calibrated}. */
    private Map<String, Long> calibrate(DataSet set) throws Exception {
        return calibrate(set, pacs1);
    }

    private Map<String, Long> calibrate(DataSet set, Pacs pacs) throws Exception {
        StoreBench.clean(pacs.received);
        free(pacs);
        calibrated = StoreBench.time(List.of("storescu", "-aet", SCU, "-aec", pacs.ae, "+sd", pacsHost, String.valueOf(pacs.port), set.dir().toString()));
        Map<String, Long> expected = sizes(pacs.received);
        if (expected.size() != set.count()) throw new IllegalStateException("storescp stored " + expected.size() + " of " + set.count());
        return expected;
    }

    /** One relayed run through router A, and the CPU time it cost. */
    private Relayed relayed(DataSet set, Map<String, Long> expected, int timeoutSeconds) throws Exception {
        return relayed(set, expected, timeoutSeconds, pacs1, true);
    }

    private Relayed relayed(DataSet set, Map<String, Long> expected, int timeoutSeconds, Pacs pacs) throws Exception {
        return relayed(set, expected, timeoutSeconds, pacs, true);
    }

    /** As above, to {@code pacs}; {@code drain}: then waits (untimed) until router A's spool is empty. */
    private Relayed relayed(DataSet set, Map<String, Long> expected, int timeoutSeconds, Pacs pacs, boolean drain) throws Exception {
        boolean threads = THREADS && hosts == null, components = THREADS && hosts != null;
        Map<String, Long> threads0 = threads ? threadTicks() : Map.of();
        Map<String, Long> components0 = components ? hosts.cpuNanosByComponent() : Map.of();
        Map<String, Long> requests0 = THREADS ? bridgeAdmin.requestCounts() : Map.of();
        long a0 = routerCpu(true), b0 = routerCpu(false), all0 = cpuNanos();
        Run run = storescu("127.0.0.1", portA, set, expected, timeoutSeconds, pacs);
        Relayed r = new Relayed(run, routerCpu(true) - a0, routerCpu(false) - b0, cpuNanos() - all0);
        if (threads) printThreadTicks(threads0, threadTicks());
        if (components) printComponentCpu(components0, hosts.cpuNanosByComponent());
        if (THREADS) printRequests(requests0, bridgeAdmin.requestCounts(), set.count());
        // Not timed: let A take the last answers and empty its spool before the next run.
        Path spool = state.resolve("a").resolve("spool");
        long quiet = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (drain && spoolCount(spool) > 0 && System.nanoTime() < quiet) Thread.sleep(10);
        return r;
    }

    /**
     * storescu sends {@code set} to {@code host:port} (storescp, or router A); polls storescp's
     * folder until every file is whole (the sizes of a direct run).
     */
    private Run storescu(String host, int port, DataSet set, Map<String, Long> expected, int timeoutSeconds) throws Exception {
        return storescu(host, port, set, expected, timeoutSeconds, pacs1);
    }

    /** As above, for {@code pacs}: called by its AE title, its folder polled; with nothing {@code expected}, until storescu exits. */
    private Run storescu(String host, int port, DataSet set, Map<String, Long> expected, int timeoutSeconds, Pacs pacs) throws Exception {
        Path received = pacs.received;
        if (!expected.isEmpty()) {
            StoreBench.clean(received);
            free(pacs);
        }
        ProcessBuilder pb = new ProcessBuilder("storescu", "-v", "-aet", SCU, "-aec", pacs.ae, "+sd", host, String.valueOf(port), set.dir().toString())
                .redirectErrorStream(true);
        pb.environment().put("TCP_NODELAY", "1");
        AtomicLong firstRequest = new AtomicLong(Long.MIN_VALUE);
        ArrayDeque<String> lastLines = new ArrayDeque<>();
        long t0 = System.nanoTime();
        Process p = pb.start();
        Thread log = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (firstRequest.get() == Long.MIN_VALUE && line.contains(STORE_REQUEST)) firstRequest.set(System.nanoTime());
                    if (line.startsWith("XMIT")) continue;
                    synchronized (lastLines) {
                        lastLines.addLast(line);
                        if (lastLines.size() > 5) lastLines.removeFirst();
                    }
                }
            } catch (IOException ended) {
                // storescu is gone
            }
        }, "storescu-log");
        log.setDaemon(true);
        log.start();
        Set<String> remaining = new HashSet<>(expected.keySet());
        long scuDone = -1, firstDone = -1;
        long deadline = t0 + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!remaining.isEmpty() || scuDone < 0 && expected.isEmpty()) {
            if (scuDone < 0 && !p.isAlive()) {
                scuDone = System.nanoTime();
                log.join(1000);
                if (p.exitValue() != 0) {
                    synchronized (lastLines) {
                        throw new IllegalStateException("storescu to " + host + ":" + port + " exited with " + p.exitValue() + ": " + lastLines);
                    }
                }
            }
            String[] names = received.toFile().list();
            if (names != null) {
                for (String n : names) {
                    if (remaining.contains(n) && received.resolve(n).toFile().length() == expected.get(n)) {
                        remaining.remove(n);
                        if (firstDone < 0) firstDone = System.nanoTime();
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                p.destroy();
                throw new IllegalStateException((expected.size() - remaining.size()) + " of " + expected.size() + " stored at B within " + timeoutSeconds + " s");
            }
            if (!remaining.isEmpty() || scuDone < 0) Thread.sleep(5); // a poll of the folder: the PACS tells nobody
        }
        long done = System.nanoTime();
        if (scuDone < 0) {
            p.waitFor();
            scuDone = System.nanoTime();
        }
        long first = firstRequest.get() == Long.MIN_VALUE ? t0 : firstRequest.get();
        return new Run((scuDone - t0) / 1e9, firstDone < 0 ? 0 : (firstDone - first) / 1e9, (done - t0) / 1e9);
    }

    /** Untimed passes of each LAN set before its timed runs (its own code paths: parts, head starts): RELAY_SET_WARMUP, else 2. */
    private static int setWarmupPasses() {
        return Integer.parseInt(System.getenv().getOrDefault("RELAY_SET_WARMUP", "2"));
    }

    /** Untimed passes of a set of {@code objects} through the relay: RELAY_WARMUP, else enough for {@link #ROUTER_WARM_OBJECTS}. */
    private static int warmupPasses(int objects) {
        return warmupPasses(objects, ROUTER_WARM_OBJECTS);
    }

    private static int warmupPasses(int objects, int warmObjects) {
        String env = System.getenv("RELAY_WARMUP");
        if (env != null) return Integer.parseInt(env);
        return Math.max(1, (warmObjects + objects - 1) / Math.max(1, objects));
    }

    private static void warmUpAesGcm() throws Exception {
        javax.crypto.spec.SecretKeySpec key = new javax.crypto.spec.SecretKeySpec(new byte[32], "AES");
        byte[] data = new byte[1024];
        byte[] iv = new byte[12];
        for (int i = 0; i < 20_000; i++) {
            java.nio.ByteBuffer.wrap(iv).putInt(i);
            javax.crypto.Cipher enc = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
            enc.init(javax.crypto.Cipher.ENCRYPT_MODE, key, new javax.crypto.spec.GCMParameterSpec(128, iv));
            byte[] sealed = enc.doFinal(data);
            javax.crypto.Cipher dec = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
            dec.init(javax.crypto.Cipher.DECRYPT_MODE, key, new javax.crypto.spec.GCMParameterSpec(128, iv));
            dec.doFinal(sealed);
        }
    }

    /** {@code n} objects of {@code frames} frames {@code size}x{@code size}x16 in WORKDIR/{@code folder}; a folder left with another count is made anew. */
    private DataSet generate(String folder, String name, int n, int frames, int size, String sopClass) throws IOException {
        Path dir = work.resolve(folder);
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.count() != n) StoreBench.clean(dir);
            }
        }
        return new DataSet(name, dir, StoreBench.generate(dir, n, frames, size, size, sopClass), n);
    }

    /** The peak heap in use before any GC pause in a -Xlog:gc file, in MB (-1: no pause logged). */
    private static long peakHeapMb(Path gcLog) throws IOException {
        if (!Files.exists(gcLog)) return -1;
        long peak = -1;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC_PAUSE.matcher(line);
            if (!m.find()) continue;
            long v = Long.parseLong(m.group(1));
            long mb = switch (m.group(2)) {
                case "K" -> v / 1024;
                case "G" -> v * 1024;
                default -> v;
            };
            peak = Math.max(peak, mb);
        }
        return peak;
    }

    // ---- the tables

    private static String[] detail(String data, String path, DataSet set, double seconds, double first, double scuDone, String cpu, String ratio) {
        return new String[] {data, path, String.format("%.2f", seconds), String.format("%.1f", set.bytes() / 1e6 / seconds),
                String.format("%.1f", set.count() / seconds), String.format("%.3f", first), String.format("%.2f", scuDone), cpu, ratio};
    }

    private void printDetails() {
        System.out.printf("%nC-STORE until the last instance is stored at B, median of %d runs. 'first': storescu's first C-STORE request to the"
                + " first whole file at B; 'scu done': storescu's own seconds (A acknowledges from its spool); 'cpu ms/obj': the routers'"
                + " CPU per relayed object%s. Direct over the WAN and the big object: one run%n", runs, hosts == null ? " (all: this JVM's, Bridge and routers)" : "");
        String f = "%-30s %-40s %8s %8s %9s %7s %9s %15s %8s%n";
        System.out.printf(f, "data", "path", "seconds", "MB/s", "images/s", "first", "scu done", "cpu ms/obj", "ratio");
        for (String[] x : details) System.out.printf(f, (Object[]) x);
    }

    private static <T> double median(T[] runs, java.util.function.ToDoubleFunction<T> f) {
        return median(Arrays.stream(runs).mapToDouble(f).toArray());
    }

    /**
     * RELAY_THREADS=1: after each relayed run, the CPU time of this JVM's threads (GC and JIT included) by name;
     * on two hosts, of each component's JVM.
     */
    private static final boolean THREADS = System.getenv("RELAY_THREADS") != null;

    /** Clock ticks (user + system) per thread name, digits folded, from /proc (Linux). */
    private static Map<String, Long> threadTicks() throws IOException {
        Map<String, Long> out = new java.util.TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(t.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+", "N");
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                out.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
            }
        }
        return out;
    }

    /** The Bridge's requests during a run, per method and route, and per relayed object. */
    private static void printRequests(Map<String, Long> before, Map<String, Long> after, int objects) {
        StringBuilder b = new StringBuilder("  Bridge requests:");
        long[] total = {0};
        after.forEach((route, n) -> {
            long d = n - before.getOrDefault(route, 0L);
            if (d <= 0) return;
            total[0] += d;
            b.append(' ').append(route).append('=').append(d);
        });
        System.out.println(b.append(String.format(" (total %d, %.2f per object)", total[0], (double) total[0] / objects)));
    }

    private static void printComponentCpu(Map<String, Long> before, Map<String, Long> after) {
        StringBuilder b = new StringBuilder("  JVMs, CPU ms:");
        after.forEach((name, nanos) -> b.append(' ').append(name).append('=').append((nanos - before.getOrDefault(name, 0L)) / 1_000_000));
        System.out.println(b);
    }

    private static void printThreadTicks(Map<String, Long> before, Map<String, Long> after) {
        StringBuilder b = new StringBuilder("  JVM threads, CPU ms:");
        after.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0).sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
                .forEach(e -> b.append(' ').append(e.getKey()).append('=').append(e.getValue() * 10));
        System.out.println(b);
    }

    /** CPU time of the relay: this JVM, or the Bridge's and routers' processes on the hosts. */
    private long cpuNanos() {
        if (hosts != null) return hosts.cpuNanos();
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * Waits until storescp, which serves one association at a time, is free: router B keeps its
     * association open for a moment after the last object, and the next run must not wait for it.
     */
    private void free(Pacs pacs) throws IOException {
        int status = Verification.echo(pacsHost, pacs.port, pacs.ae, SCU, AssociationOptions.DEFAULT.withArtim(java.time.Duration.ofSeconds(30)));
        if (status != 0) throw new IllegalStateException(String.format("C-ECHO to storescp: status %04XH", status));
    }

    private static long spoolCount(Path spool) throws IOException {
        if (!Files.isDirectory(spool)) return 0;
        try (Stream<Path> s = Files.list(spool)) {
            return s.filter(p -> p.toString().endsWith(".dcm")).count();
        }
    }

    private static Map<String, Long> sizes(Path dir) throws IOException {
        Map<String, Long> m = new HashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> m.put(p.getFileName().toString(), p.toFile().length()));
        }
        return m;
    }

    /** Latencies in ms: [0] direct to {@code host:port}, [1] through router A; query by query alternately on two open associations. */
    private double[][] findLatencies(String host, int port, int routerPort, int n) throws IOException {
        double[][] out = new double[2][n];
        try (QueryRetrieveScu direct = QueryRetrieveScu.open(host, port, QR, FINDSCU, QueryRetrieveModel.STUDY_ROOT, List.of(), null,
                AssociationOptions.DEFAULT);
             QueryRetrieveScu relay = QueryRetrieveScu.open("127.0.0.1", routerPort, QR, FINDSCU, QueryRetrieveModel.STUDY_ROOT, List.of(), null,
                     AssociationOptions.DEFAULT)) {
            for (int i = -WARMUP_QUERIES; i < n; i++) {
                String pid = patientIds.get(Math.floorMod(i, patientIds.size()));
                double d = query(direct, pid), r = query(relay, pid);
                if (i >= 0) {
                    out[0][i] = d;
                    out[1][i] = r;
                }
            }
        }
        return out;
    }

    private static double query(QueryRetrieveScu scu, String patientId) throws IOException {
        Attributes keys = new Attributes();
        keys.setString(0x00080052, VR.CS, "STUDY");
        keys.setString(Tag.PatientID, VR.LO, patientId);
        keys.setString(Tag.PatientName, VR.PN, "");
        keys.setString(Tag.StudyInstanceUID, VR.UI, "");
        keys.setString(0x00080020, VR.DA, "");
        keys.setString(0x00080050, VR.SH, "");
        keys.setString(0x00081030, VR.LO, "");
        long t0 = System.nanoTime();
        PendingRequest p = scu.find(keys);
        int matches = 0;
        DimseResponse r;
        while ((r = p.next()) != null) {
            if (r.isPending()) matches++;
            else if (r.status() != 0) throw new IllegalStateException(String.format("C-FIND ended with status %04XH", r.status()));
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        if (matches != 1) throw new IllegalStateException("C-FIND for " + patientId + " found " + matches + " studies, expected 1");
        return ms;
    }

    /** Small studies for dcmqrscp, one patient each, indexed with dcmqridx; returns the patient IDs. */
    private static List<String> queryDatabase(Path db, int studies) throws Exception {
        List<String> ids = new ArrayList<>();
        List<String> idx = new ArrayList<>(List.of("dcmqridx", db.toString()));
        String root = "2.25." + (System.nanoTime() & Long.MAX_VALUE);
        for (int k = 0; k < studies; k++) {
            String pid = String.format("RELAYBENCH-%02d", k);
            Attributes ds = new Attributes();
            ds.setString(Tag.SpecificCharacterSet, VR.CS, "ISO_IR 100");
            ds.setString(Tag.SOPClassUID, VR.UI, "1.2.840.10008.5.1.4.1.1.7");
            ds.setString(Tag.SOPInstanceUID, VR.UI, root + "." + k + ".3.1");
            ds.setString(Tag.StudyInstanceUID, VR.UI, root + "." + k + ".1");
            ds.setString(Tag.SeriesInstanceUID, VR.UI, root + "." + k + ".2");
            ds.setString(Tag.PatientName, VR.PN, "Bench^Patient" + k);
            ds.setString(Tag.PatientID, VR.LO, pid);
            ds.setString(0x00080020, VR.DA, "20260101");
            ds.setString(0x00080030, VR.TM, "120000");
            ds.setString(0x00080050, VR.SH, "ACC" + k);
            ds.setString(0x00081030, VR.LO, "Relay bench study " + k);
            ds.setString(0x00080060, VR.CS, "OT");
            ds.setString(0x00200010, VR.SH, "1");
            ds.setString(0x00200011, VR.IS, "1");
            ds.setString(0x00200013, VR.IS, "1");
            ds.setInt(0x00280002, VR.US, 1);
            ds.setString(0x00280004, VR.CS, "MONOCHROME2");
            ds.setInt(0x00280010, VR.US, 16);
            ds.setInt(0x00280011, VR.US, 16);
            ds.setInt(0x00280100, VR.US, 16);
            ds.setInt(0x00280101, VR.US, 12);
            ds.setInt(0x00280102, VR.US, 11);
            ds.setInt(0x00280103, VR.US, 0);
            ds.setBytes(Tag.PixelData, VR.OW, new byte[16 * 16 * 2]);
            Path f = db.resolve(String.format("study%02d.dcm", k));
            try (OutputStream os = Files.newOutputStream(f)) {
                DicomOutputStream d = new DicomOutputStream(os, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
                d.writeFileMetaInformation(FileMetaInformation.of(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid()));
                d.writeDataSet(ds);
                d.finish();
            }
            idx.add(f.toString());
            ids.add(pid);
        }
        Process p = new ProcessBuilder(idx).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException("dcmqridx failed: " + out);
        return ids;
    }

    private static double median(double[] t) {
        double[] s = t.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** Nearest-rank percentile. */
    private static double percentile(double[] v, double p) {
        double[] s = v.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }


    /**
     * Starts a DCMTK server and waits until it accepts connections: bound to loopback (the shim), or
     * on host B, a private namespace of this run, to every interface of that host (host A reaches it directly).
     */
    private Process server(List<String> cmd, int port) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(hosts == null ? cmd : hosts.onB(cmd)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("TCP_NODELAY", "1");
        if (hosts == null) pb.environment().put("LD_PRELOAD", shim.toString());
        Process p = pb.start();
        processes.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(pacsHost, port), 200);
                return p;
            } catch (IOException notYet) {
                if (!p.isAlive()) throw new IllegalStateException(cmd.get(0) + " exited with " + p.exitValue());
                p.waitFor(50, TimeUnit.MILLISECONDS);
            }
        }
        throw new IllegalStateException(cmd.get(0) + " did not start");
    }

    private void stop() {
        try {
            if (hosts == null) stopRouters(); // on two hosts closing them closes the routers
        } catch (Exception e) {
            System.err.println("stopping the routers: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
        }
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception ignored) {
                // shutting down
            }
        }
        for (Process p : processes) {
            // dcmqrscp forks a child per association: end the children before the parent.
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void delete(Path dir) throws IOException {
        StoreBench.clean(dir);
        Files.delete(dir);
    }

}
