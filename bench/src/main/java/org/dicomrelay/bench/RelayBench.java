package org.dicomrelay.bench;

import org.dicomrelay.bridge.BridgeConfig;
import org.dicomrelay.bridge.BridgeTls;
import org.dicomrelay.bridge.BridgeServer;
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

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The relay against a direct connection, on loopback, in one run: a Bridge, router A and router B
 * run in this JVM with a filesystem cloud (RELAY_CLOUD=bridge: the Bridge's store, the default provider); the
 * modality and the PACS are DCMTK processes. The Bridge serves plain HTTP there (loopback only).
 *
 * <ol>
 *   <li>C-STORE throughput: storescu → storescp directly, against storescu → router A → cloud →
 *       router B → storescp, on the same generated files; the relay's time runs until the last
 *       instance is in storescp's folder (polled), not until storescu is done (A acknowledges
 *       from its spool). Median of 3 runs, direct and relay alternating.</li>
 *   <li>C-FIND latency: sequential STUDY-level queries with our {@link QueryRetrieveScu} on one
 *       association each, to DCMTK's dcmqrscp directly and through the routers, alternating
 *       query by query so that machine noise hits both alike; each query matches one study.</li>
 * </ol>
 *
 * With RELAY_HOSTS set ({@code bench/relay.sh --hosts}, {@link TwoHosts}) the Bridge and the
 * routers are processes of the shaded jar on three hosts (network namespaces): the modality's
 * side here on host A, router B and the PACS on host B, the Bridge on host C, serving HTTPS with
 * the certificate it creates (enrollment and the administrator's calls pin the fingerprint it
 * prints); the routers use the default store, the Bridge's, so the payloads cross both links and
 * the hosts share no folder for them. Direct DICOM crosses the same links (host C routes
 * between A and B).
 *
 * Usage: RelayBench WORKDIR SHIM_SO [images=200] [multiframes=2] [queries=200]. Environment:
 * RELAY_STATE, where the routers keep their state (spool; default under WORKDIR, on disk);
 * RELAY_CLOUD, {@code filesystem} (default) or {@code bridge} (the default store: blobs at the Bridge);
 * RELAY_WARMUP, untimed passes before measuring (default 1; on two hosts enough passes for 800 objects,
 * as the routers' own JVMs must be warmed by relaying); RELAY_THREADS, print the JVM's CPU
 * time per thread for each relayed run (on two hosts: each component JVM's CPU time).
 */
public final class RelayBench {
    private static final String SCU = "STORESCU", SCP = "STORESCP", QR = "QRSCP", FINDSCU = "FINDSCU";
    private static final int WARMUP_QUERIES = 20;
    /** Objects a router's JVM relays before its AES-GCM (Tink's and TLS's) runs C2-compiled with the CPU's intrinsics. */
    private static final int ROUTER_WARM_OBJECTS = 800;

    private final Path shim;
    /** The two-host run's hosts, or null on this host's loopback. */
    private TwoHosts hosts;
    /** Where this JVM and storescu reach the PACS (storescp, dcmqrscp): loopback, or host B's address. */
    private String pacsHost = "127.0.0.1";
    private final List<Process> processes = new ArrayList<>();
    private final List<AutoCloseable> running = new ArrayList<>();

    private RelayBench(Path shim) {
        this.shim = shim;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: RelayBench WORKDIR SHIM_SO [images=200] [multiframes=2] [queries=200]");
            System.exit(2);
        }
        Path work = Files.createDirectories(Path.of(args[0]).toAbsolutePath());
        Path shim = Path.of(args[1]).toAbsolutePath();
        int images = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int multiframes = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int queries = args.length > 4 ? Integer.parseInt(args[4]) : 200;
        // Component logs only when something goes wrong: the per-object INFO lines would cost time.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        RelayBench b = new RelayBench(shim);
        try {
            b.run(work, images, multiframes, queries);
        } finally {
            b.stop();
        }
        System.exit(0); // the Bridge's and routers' non-daemon threads must not keep the JVM
    }

    private void run(Path work, int images, int multiframes, int queries) throws Exception {
        hosts = TwoHosts.fromEnvironment(work);
        if (hosts != null) {
            running.add(hosts);
            pacsHost = hosts.addressB;
        }
        Path ct = work.resolve("relay-ct");
        Path mf = work.resolve("relay-multiframe");
        long ctBytes = generate(ct, images, 1, "1.2.840.10008.5.1.4.1.1.2");
        long mfBytes = generate(mf, multiframes, 100, "1.2.840.10008.5.1.4.1.1.7.3");

        // Received files and the cloud go to memory when possible: disk write-back must not decide the ratio.
        Path shm = Path.of("/dev/shm");
        Path mem = Files.isDirectory(shm) && Files.isWritable(shm) ? shm.resolve("relaybench-" + ProcessHandle.current().pid()) : work.resolve("mem");
        StoreBench.clean(mem);
        running.add(() -> delete(mem));
        Path state = StoreBench.clean(Path.of(System.getenv().getOrDefault("RELAY_STATE", work.resolve("relay-state").toString())).toAbsolutePath());
        running.add(() -> delete(state));
        Path received = Files.createDirectories(mem.resolve("storescp"));
        Path cloud = Files.createDirectories(mem.resolve("cloud"));

        // ---- the PACS side: storescp and dcmqrscp (DCMTK), loopback only
        int storescpPort = StoreBench.freePort();
        server(List.of("storescp", "-aet", SCP, "-od", received.toString(), String.valueOf(storescpPort)), storescpPort);
        int qrPort = StoreBench.freePort();
        Path qrDb = Files.createDirectories(mem.resolve("qr-db"));
        List<String> patientIds = queryDatabase(qrDb, 20);
        Path cfg = mem.resolve("dcmqrscp.cfg");
        Files.writeString(cfg, "NetworkTCPPort = " + qrPort + "\nMaxPDUSize = 16384\nMaxAssociations = 16\n"
                + "HostTable BEGIN\nHostTable END\nVendorTable BEGIN\nVendorTable END\n"
                + "AETable BEGIN\n" + QR + " " + qrDb + " R (200, 1024mb) ANY\nAETable END\n");
        server(List.of("dcmqrscp", "-c", cfg.toString()), qrPort);

        // ---- the relay: Bridge, router B (exports the PACS), router A (the modality's side)
        String admin = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        // RELAY_CLOUD=bridge (and on two hosts): the default store, blobs at the Bridge (its data in memory, as the filesystem cloud's folder).
        boolean bridgeStore = hosts != null || "bridge".equals(System.getenv().getOrDefault("RELAY_CLOUD", "filesystem"));
        Path bridgeData = bridgeStore ? mem.resolve("bridge") : state.resolve("bridge");
        URI bridgeUrl;
        // the Bridge's certificate (SHA-256), which enrollment and the administrator's calls pin; null: plain HTTP on loopback
        String fingerprint;
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
        BridgeAdmin bridgeAdmin = new BridgeAdmin(bridgeUrl, fingerprint, admin);
        RouterConfig.Cloud fs = bridgeStore ? null : new RouterConfig.Cloud("filesystem", Map.of("root", cloud.toString()));
        RouterConfig a = new RouterConfig("hospital-a", state.resolve("a").toString(), "ROUTER_A", "127.0.0.1", 0, bridgeUrl.toString(), fs,
                "spool", List.of(new Device(SCU, "127.0.0.1", 1, List.of(), List.of(), false),
                new Device(FINDSCU, "127.0.0.1", 1, List.of(), List.of(), false)));
        // ROUTER_B has as many characters as STORESCU: storescp's files (their meta header names the caller) are
        // then the same size either way, which tells when the last one is complete.
        RouterConfig b = new RouterConfig("hospital-b", state.resolve("b").toString(), "ROUTER_B", "127.0.0.1", 0, bridgeUrl.toString(), fs,
                "spool", List.of(new Device(SCP, "127.0.0.1", storescpPort, List.of("store"), List.of(), true),
                new Device(QR, "127.0.0.1", qrPort, List.of("find"), List.of(), true)));
        for (RouterConfig c : List.of(a, b)) RouterApp.enroll(c, bridgeUrl, fingerprint, bridgeAdmin.enrollmentToken(c.routerId()));
        // the access matrix grants nothing by default
        bridgeAdmin.grant("hospital-a", SCP, "store");
        bridgeAdmin.grant("hospital-a", QR, "find");
        // B first: A takes the directory, with B's exported AEs, when it starts
        int portA, portB;
        if (hosts == null) {
            RouterApp routerB = RouterApp.start(b);
            running.add(routerB);
            RouterApp routerA = RouterApp.start(a);
            running.add(routerA);
            portA = routerA.port();
            portB = routerB.port();
        } else {
            Path yamlA = work.resolve("hosts-router-a.yaml"), yamlB = work.resolve("hosts-router-b.yaml");
            a.save(yamlA);
            b.save(yamlB);
            portB = hosts.startRouter(hosts.nsB, yamlB);
            portA = hosts.startRouter(hosts.nsA, yamlA);
        }
        Path spoolA = state.resolve("a").resolve("spool");

        System.out.printf("relay: Bridge %s, router A :%d, router B :%d; cloud %s; routers' state (spool) %s; storescp -> %s%n",
                bridgeUrl, portA, portB, bridgeStore ? "at the Bridge" : cloud, state, received);
        if (hosts != null) {
            System.out.printf("two hosts: this JVM, storescu and router A on %s; router B, storescp and dcmqrscp on %s (%s); the Bridge on %s"
                    + " (%s); direct DICOM goes A -> C -> B%n", hosts.nsA, hosts.nsB, hosts.addressB, hosts.nsC, hosts.bridgeAddress);
        }

        // ---- 1. C-STORE throughput
        // A router is a long-running service: measure it warm. The JDK's AES-GCM runs its CLMUL/AES-NI intrinsics
        // only once GHASH.update and CounterMode.crypt are C2-compiled, which takes ~5000 calls: a router gets
        // there after ~700 objects, so many small GCM operations stand in for that; then one untimed pass of the
        // CT set through the relay compiles the rest of the path.
        // On two hosts the routers and the Bridge are JVMs of their own, which this warm-up does not reach: there
        // the untimed passes take them past those objects (RELAY_WARMUP overrides either default).
        warmUpAesGcm();
        int warmupPasses = warmupPasses(images);
        StoreBench.clean(received);
        StoreBench.time(List.of("storescu", "-aet", SCU, "-aec", SCP, "+sd", pacsHost, String.valueOf(storescpPort), ct.toString()));
        Map<String, Long> warmup = sizes(received);
        for (int i = 0; i < warmupPasses; i++) {
            StoreBench.clean(received);
            free(storescpPort);
            relayed(ct, portA, received, warmup, spoolA);
        }
        List<String[]> rows = new ArrayList<>();
        Object[][] sets = {
                {images + " CT 512x512x16", ct, ctBytes, images},
                {multiframes + " multi-frame 50 MB", mf, mfBytes, multiframes}};
        for (Object[] set : sets) {
            String name = (String) set[0];
            Path dir = (Path) set[1];
            long bytes = (Long) set[2];
            int count = (Integer) set[3];
            Map<String, Long> expected = null;
            double[] direct = new double[3], relay = new double[3], acked = new double[3], cpu = new double[3];
            for (int i = 0; i < 3; i++) {
                StoreBench.clean(received);
                free(storescpPort);
                direct[i] = StoreBench.time(List.of("storescu", "-aet", SCU, "-aec", SCP, "+sd", pacsHost, String.valueOf(storescpPort), dir.toString()));
                if (expected == null) expected = sizes(received);
                if (expected.size() != count) throw new IllegalStateException("storescp stored " + expected.size() + " of " + count);
                StoreBench.clean(received);
                free(storescpPort);
                double[] r = relayed(dir, portA, received, expected, spoolA);
                acked[i] = r[0];
                relay[i] = r[1];
                cpu[i] = r[2];
            }
            double d = median(direct), r = median(relay);
            rows.add(row(name, "storescu -> storescp", d, bytes, count, "", "", ""));
            rows.add(row(name, "storescu -> A -> cloud -> B -> storescp", r, bytes, count, String.format("%.2f", median(acked)),
                    String.format("%.2f", median(cpu)), String.format("%.2fx", d / r)));
        }

        // ---- 2. C-FIND latency
        double[][] lat = findLatencies(qrPort, portA, patientIds, queries);
        double directP50 = percentile(lat[0], 50), relayP50 = percentile(lat[1], 50);

        System.out.printf("%nC-STORE until the last instance is stored at B, median of 3 after " + warmupPasses + " warm-up pass(es). 'scu done': storescu's own"
                + " seconds (A acknowledges from its spool); 'JVM cpu': CPU seconds of the Bridge's and both routers' JVM%s in the run%n",
                hosts == null ? " (this one)" : "s");
        System.out.printf("%-22s %-40s %8s %8s %9s %9s %8s %13s%n", "data", "path", "seconds", "MB/s", "images/s", "scu done", "JVM cpu",
                "relay/direct");
        for (String[] x : rows) System.out.printf("%-22s %-40s %8s %8s %9s %9s %8s %13s%n", (Object[]) x);
        System.out.printf("%nC-FIND STUDY level, %d sequential queries (after %d warm-up), our QueryRetrieveScu on one association, "
                + "DCMTK dcmqrscp at B, 1 match each%n", queries, WARMUP_QUERIES);
        System.out.printf("%-40s %9s %9s %9s%n", "path", "p50 ms", "p99 ms", "max ms");
        System.out.printf("%-40s %9.1f %9.1f %9.1f%n", "SCU -> dcmqrscp (direct)", directP50, percentile(lat[0], 99), percentile(lat[0], 100));
        System.out.printf("%-40s %9.1f %9.1f %9.1f%n", "SCU -> A -> Bridge -> B -> dcmqrscp", relayP50, percentile(lat[1], 99), percentile(lat[1], 100));
        System.out.printf("%-40s %9.1f%n", "added by the relay (p50)", relayP50 - directP50);
    }

    /** Untimed passes of the CT set through the relay: RELAY_WARMUP, else 1 in this JVM, else enough for {@link #ROUTER_WARM_OBJECTS}. */
    private int warmupPasses(int images) {
        String env = System.getenv("RELAY_WARMUP");
        if (env != null) return Integer.parseInt(env);
        return hosts == null ? 1 : Math.max(1, (ROUTER_WARM_OBJECTS + images - 1) / Math.max(1, images));
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

    /** 512x512x16 objects as StoreBench makes them; a folder left with another count is made anew. */
    private static long generate(Path dir, int n, int frames, String sopClass) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.count() != n) StoreBench.clean(dir);
            }
        }
        return StoreBench.generate(dir, n, frames, 512, 512, sopClass);
    }

    /** One relayed run: {storescu's own seconds, seconds until storescp holds every file whole, CPU seconds of the relay's JVMs}. */
    private double[] relayed(Path dir, int routerPort, Path received, Map<String, Long> expected, Path spool) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("storescu", "-aet", SCU, "-aec", SCP, "+sd", "127.0.0.1", String.valueOf(routerPort), dir.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("TCP_NODELAY", "1");
        boolean threads = THREADS && hosts == null, components = THREADS && hosts != null;
        Map<String, Long> threads0 = threads ? threadTicks() : Map.of();
        Map<String, Long> components0 = components ? hosts.cpuNanosByComponent() : Map.of();
        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        Process p = pb.start();
        double acked = -1;
        long deadline = t0 + TimeUnit.SECONDS.toNanos(300);
        while (true) {
            if (acked < 0 && !p.isAlive()) {
                acked = (System.nanoTime() - t0) / 1e9;
                if (p.exitValue() != 0) throw new IllegalStateException("storescu to router A exited with " + p.exitValue());
            }
            String[] names = received.toFile().list();
            if (names != null && names.length >= expected.size() && complete(received, expected)) break;
            if (System.nanoTime() > deadline) throw new IllegalStateException("the relay did not deliver everything within 300 s");
            Thread.sleep(5);
        }
        double done = (System.nanoTime() - t0) / 1e9;
        double cpu = (cpuNanos() - cpu0) / 1e9;
        if (threads) printThreadTicks(threads0, threadTicks());
        if (components) printComponentCpu(components0, hosts.cpuNanosByComponent());
        if (acked < 0) {
            p.waitFor();
            acked = (System.nanoTime() - t0) / 1e9;
        }
        // Not timed: let A take the last answers and empty its spool before the next run.
        long quiet = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (spoolCount(spool) > 0 && System.nanoTime() < quiet) Thread.sleep(10);
        return new double[] {acked, done, cpu};
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
    private void free(int storescpPort) throws IOException {
        int status = Verification.echo(pacsHost, storescpPort, SCP, SCU, AssociationOptions.DEFAULT.withArtim(java.time.Duration.ofSeconds(30)));
        if (status != 0) throw new IllegalStateException(String.format("C-ECHO to storescp: status %04XH", status));
    }

    private static boolean complete(Path dir, Map<String, Long> expected) {
        for (var e : expected.entrySet()) {
            if (dir.resolve(e.getKey()).toFile().length() != e.getValue()) return false;
        }
        return true;
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

    /** Latencies in ms: [0] direct, [1] relayed; query by query alternately on two open associations. */
    private double[][] findLatencies(int qrPort, int routerPort, List<String> patientIds, int n) throws IOException {
        double[][] out = new double[2][n];
        try (QueryRetrieveScu direct = QueryRetrieveScu.open(pacsHost, qrPort, QR, FINDSCU, QueryRetrieveModel.STUDY_ROOT, List.of(), null,
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

    private static String[] row(String data, String path, double seconds, long bytes, int count, String acked, String cpu, String ratio) {
        return new String[] {data, path, String.format("%.2f", seconds), String.format("%.1f", bytes / 1e6 / seconds),
                String.format("%.1f", count / seconds), acked, cpu, ratio};
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
    private void server(List<String> cmd, int port) throws Exception {
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
                return;
            } catch (IOException notYet) {
                if (!p.isAlive()) throw new IllegalStateException(cmd.get(0) + " exited with " + p.exitValue());
                p.waitFor(50, TimeUnit.MILLISECONDS);
            }
        }
        throw new IllegalStateException(cmd.get(0) + " did not start");
    }

    private void stop() {
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
