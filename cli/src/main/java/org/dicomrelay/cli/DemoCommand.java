package org.dicomrelay.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dicomrelay.archive.H2Index;
import org.dicomrelay.bridge.BridgeConfig;
import org.dicomrelay.bridge.BridgeServer;
import org.dicomrelay.relay.tls.BridgeHttp;
import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.dicom.io.SyntheticStudy;
import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.DimseResponse;
import org.dicomrelay.dicom.net.PendingRequest;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderArchive;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.QueryRetrieveModel;
import org.dicomrelay.dicom.net.service.QueryRetrieveScu;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.dicom.net.service.Verification;
import org.dicomrelay.router.RouterApp;
import org.dicomrelay.router.config.ConsoleListener;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * The whole relay network on one machine: a Bridge, hospital A's router with a workstation and a
 * viewer, hospital B's router with its archive, each router with its own state folder and no
 * shared folder (the default Cloud IO provider: blobs stored at the Bridge); then a scripted exchange
 * (store, find, move back, verify the bytes) and the DCMTK commands to try it by hand.
 */
@Command(name = "demo", description = "Run a whole relay network on this machine and exchange a study through it.")
public final class DemoCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", defaultValue = "demo", paramLabel = "DIR", description = "where the demo keeps its state (default: ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--once", description = "run the scenario and exit: 0 only if every step succeeded")
    boolean once;

    @Option(names = "--images", defaultValue = "4", description = "images in the synthetic study (default: ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--cloud", defaultValue = "bridge", paramLabel = "PROVIDER",
            description = "the routers' Cloud IO: bridge (default: blobs and inbox at the Bridge), s3 (S3Proxy and ElasticMQ in this JVM), "
                    + "nats (Debian's nats-server, JetStream), azure (Azurite, npm, in target/azurite)")
    DemoCloud cloud;

    @Option(names = {"-v", "--verbose"}, description = "show the components' log (routers, Bridge) on stderr")
    boolean verbose;

    private PrintWriter out;
    private int step;
    private static final int STEPS = 7;

    @Override public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        if (!verbose) {
            // The scripted steps tell the story; component logs only when something goes wrong.
            java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        }
        dir = dir.toAbsolutePath().normalize();
        if (Files.exists(dir) && !DemoFolder.isDemo(dir) && !DemoFolder.isEmpty(dir)) {
            spec.commandLine().getErr().println("demo: " + dir + " is not empty and holds no earlier demo; pass --dir with a new or empty folder");
            return 2;
        }
        List<AutoCloseable> running = new ArrayList<>();
        try (DemoFolder folder = DemoFolder.claim(dir)) {
            if (folder == null) {
                spec.commandLine().getErr().println("demo: another demo is running in " + dir + "; stop it (Ctrl-C) or pass --dir");
                return 2;
            }
            if (folder.clearEarlier()) out.println("demo: starting afresh; removed the earlier demo in " + dir);
            return run(running);
        } catch (DemoCloud.Unavailable e) {
            spec.commandLine().getErr().println("demo --cloud " + cloud + ": " + e.getMessage());
            return 2;
        } catch (Exception e) {
            spec.commandLine().getErr().println("demo failed: " + e);
            return 1;
        } finally {
            for (int i = running.size() - 1; i >= 0; i--) {
                try {
                    running.get(i).close();
                } catch (Exception ignored) {
                    // shutting down
                }
            }
        }
    }

    private void say(String s) {
        out.printf("[%d/%d] %s%n", ++step, STEPS, s);
        out.flush();
    }

    private int run(List<AutoCloseable> running) throws Exception {
        String admin = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        int bridgePort = port(8470), bridgeConsolePort = port(8471), portA = port(11112), portB = port(11113), archivePort = port(11114), viewerPort = port(11115);
        Path bridgeYaml = dir.resolve("bridge.yaml");
        OwnerOnly.replace(bridgeYaml, ("bind: 127.0.0.1\nport: " + bridgePort + "\ndataDir: bridge\nadminToken: " + admin
                + "\nconsole: {bind: 127.0.0.1, port: " + bridgeConsolePort + "}\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        BridgeServer bridge = BridgeServer.start(BridgeConfig.load(bridgeYaml));
        running.add(bridge);
        URI bridgeUrl = bridge.url();
        String fingerprint = bridge.fingerprint().orElseThrow();
        say("Bridge listening on " + bridgeUrl + " (config " + bridgeYaml + "); its TLS certificate's SHA-256 fingerprint, which the routers pin: "
                + fingerprint);

        Path viewerDir = dir.resolve("viewer-a");
        DicomServer viewer = DicomServer.start(new ApplicationEntity("VIEWER_A").accept(ApplicationEntity.ANY, ApplicationEntity.ANY),
                "127.0.0.1", viewerPort, 8, new DimseServices().onStore(new FolderStorage(viewerDir)));
        running.add(viewer);
        List<String> all = List.of("echo", "store", "find", "move", "get");
        // Default: no cloud section, the (sealed) blobs at the Bridge and the routers share nothing else; --cloud: an emulator's.
        DemoCloud.Started cloudIo = cloud.start(dir);
        running.addAll(cloudIo.running());
        RouterConfig a = new RouterConfig("hospital-a", dir.resolve("a").toString(), "ROUTER_A", "127.0.0.1", portA, bridgeUrl.toString(),
                cloudIo.cloud(), "spool",
                List.of(new Device("WORKSTATION", "127.0.0.1", viewerPort, List.of(), List.of(), false),
                        new Device("VIEWER_A", "127.0.0.1", viewerPort, List.of("store"), List.of(), false)))
                .withConsole(new ConsoleListener("127.0.0.1", port(8484)));
        RouterConfig b = new RouterConfig("hospital-b", dir.resolve("b").toString(), "ROUTER_B", "127.0.0.1", portB, bridgeUrl.toString(),
                cloudIo.cloud(), "spool",
                List.of(new Device("ARCHIVE_B", "127.0.0.1", archivePort, all, List.of(), true)))
                .withConsole(new ConsoleListener("127.0.0.1", port(8485)));
        a.save(dir.resolve("router-a.yaml"));
        b.save(dir.resolve("router-b.yaml"));
        for (RouterConfig c : List.of(a, b)) {
            RouterApp.enroll(c, bridgeUrl, fingerprint, enrollmentToken(bridgeUrl, fingerprint, admin, c.routerId()));
        }
        // The access matrix grants nothing by default: what `dicom-relay bridge grant` does, before the routers start.
        BridgeAdminOptions bridgeAdmin = new BridgeAdminOptions();
        bridgeAdmin.config = bridgeYaml;
        bridgeAdmin.call("PUT", "/api/admin/access", Map.of("routerId", "hospital-a", "aeTitle", "ARCHIVE_B", "services", all));
        say("hospital-a and hospital-b enrolled at the Bridge over HTTPS with one-time tokens and --bridge-fingerprint (keys in "
                + dir.resolve("a/keys") + ", " + dir.resolve("b/keys") + "; TLS client certificates in their bridge-credentials.json); hospital-a granted "
                + String.join(",", all) + " of ARCHIVE_B (dicom-relay bridge grant --config " + bridgeYaml + " --router hospital-a --ae ARCHIVE_B --services "
                + String.join(",", all) + ")");

        Path archiveDir = OwnerOnly.newFolders(dir.resolve("archive-b"));
        H2Index index = H2Index.open(archiveDir);
        FolderArchive archive = new FolderArchive(archiveDir, "ARCHIVE_B", Map.of("ROUTER_B", new InetSocketAddress("127.0.0.1", portB)),
                index, AssociationOptions.DEFAULT);
        DicomServer archiveServer = DicomServer.start(archive.applicationEntity(), "127.0.0.1", archivePort, 16, archive.services());
        running.add(index);
        running.add(archive);
        running.add(archiveServer);
        RouterApp routerB = RouterApp.start(b, dir.resolve("router-b.yaml"));
        running.add(routerB);
        RouterApp routerA = RouterApp.start(a, dir.resolve("router-a.yaml"));
        running.add(routerA);
        say("routers up: hospital-a on 127.0.0.1:" + portA + " (AE ROUTER_A), hospital-b on 127.0.0.1:" + portB
                + "; archive ARCHIVE_B at hospital-b, exported; " + cloudIo.story());

        long t0 = System.nanoTime();
        int echo = Verification.echo("127.0.0.1", portA, "ARCHIVE_B", "WORKSTATION", AssociationOptions.DEFAULT);
        check(echo == 0, String.format("C-ECHO status %04XH", echo));
        say("C-ECHO WORKSTATION -> ARCHIVE_B through both routers: success (" + (System.nanoTime() - t0) / 1_000_000 + " ms)");

        List<StorageSource> study = new ArrayList<>();
        for (Path f : SyntheticStudy.write(dir.resolve("outgoing"), images, 64, "Demo^Patient", "DEMO-001").files()) {
            study.add(StorageSource.probe(f));
        }
        try (StoreScu scu = StoreScu.open("127.0.0.1", portA, "ARCHIVE_B", "WORKSTATION",
                List.of(new StoreScu.Need(study.get(0).sopClassUid(), study.get(0).transferSyntax().uid())), AssociationOptions.DEFAULT)) {
            for (StorageSource s : study) check(scu.store(s).status() == 0, "C-STORE of " + s.file());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (index.size() < images && System.nanoTime() < deadline) {
            synchronized (this) {
                wait(50); // the archive is filled by the routers' background delivery: poll its index
            }
        }
        check(index.size() >= images, "only " + index.size() + " of " + images + " images reached the archive");
        say("C-STORE " + images + " synthetic CT images -> ARCHIVE_B: acknowledged from A's spool, in the archive after "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");

        String studyUid = DicomFile.read(study.get(0).file()).dataSet().getString(Tag.StudyInstanceUID);
        int matches = 0;
        try (QueryRetrieveScu scu = QueryRetrieveScu.open("127.0.0.1", portA, "ARCHIVE_B", "WORKSTATION", QueryRetrieveModel.STUDY_ROOT,
                List.of(), null, AssociationOptions.DEFAULT)) {
            Attributes keys = new Attributes();
            keys.setString(0x00080052, VR.CS, "STUDY");
            keys.setString(Tag.PatientName, VR.PN, "Demo*");
            keys.setString(Tag.StudyInstanceUID, VR.UI, "");
            keys.setString(0x00201208, VR.IS, "");
            PendingRequest p = scu.find(keys);
            DimseResponse r;
            while ((r = p.next()) != null) {
                if (r.isPending() && studyUid.equals(r.data().getString(Tag.StudyInstanceUID))) matches++;
                else if (!r.isPending()) check(r.status() == 0, String.format("C-FIND final status %04XH", r.status()));
            }
            check(matches == 1, "C-FIND found " + matches + " matching studies");
            Attributes move = new Attributes();
            move.setString(0x00080052, VR.CS, "STUDY");
            move.setString(Tag.StudyInstanceUID, VR.UI, studyUid);
            DimseResponse last = null;
            p = scu.move(move, "VIEWER_A");
            while ((r = p.next()) != null) last = r;
            check(last != null && last.status() == 0, "C-MOVE final status " + (last == null ? "none" : String.format("%04XH", last.status())));
        }
        say("C-FIND at A found the study at B; C-MOVE to VIEWER_A (a device at A) completed");
        for (StorageSource s : study) {
            Path got = viewerDir.resolve(s.sopInstanceUid() + ".dcm");
            check(Files.exists(got), "missing at VIEWER_A: " + s.sopInstanceUid());
            check(Arrays.equals(dataSet(got), dataSet(s.file())), "bytes differ for " + s.sopInstanceUid());
        }
        say("verified: the " + images + " images at VIEWER_A are byte for byte the data sets sent from A");

        out.println();
        out.println("Configurations to copy for a real deployment: " + bridgeYaml + ", " + dir.resolve("router-a.yaml") + ", "
                + dir.resolve("router-b.yaml"));
        out.println("Try it with DCMTK (hospital A's workstation is AE WORKSTATION; ARCHIVE_B lives at hospital B):");
        String at = "127.0.0.1 " + portA;
        out.println("  echoscu  -aet WORKSTATION -aec ARCHIVE_B " + at);
        out.println("  storescu -aet WORKSTATION -aec ARCHIVE_B " + at + " " + study.get(0).file());
        out.println("  findscu  -S -aet WORKSTATION -aec ARCHIVE_B -k QueryRetrieveLevel=STUDY -k PatientName=Demo* -k StudyInstanceUID " + at);
        out.println("  movescu  -S -aet WORKSTATION -aec ARCHIVE_B -aem VIEWER_A -k QueryRetrieveLevel=STUDY -k StudyInstanceUID=" + studyUid + " " + at);
        out.println("  getscu   -S -aet WORKSTATION -aec ARCHIVE_B -od /tmp -k QueryRetrieveLevel=STUDY -k StudyInstanceUID=" + studyUid + " " + at);
        out.println("Web consoles; there is no default account, create one first:");
        bridge.consoleUrl().ifPresent(u -> out.println("  Bridge (routers, enrollment tokens, access matrix, network map): " + u
                + "  after  ./dicom-relay bridge admin create --config " + bridgeYaml + " --user admin"));
        for (var r : List.of(Map.entry(routerA, "router-a.yaml"), Map.entry(routerB, "router-b.yaml"))) {
            out.println("  " + r.getKey().router().config().routerId() + ": " + r.getKey().console().url() + "  after  ./dicom-relay router admin create"
                    + " --config " + dir.resolve(r.getValue()) + " --user admin");
        }
        out.flush();
        if (once) return 0;
        out.println("Running; Ctrl-C stops the demo.");
        out.flush();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        stop.await();
        return 0;
    }

    private static void check(boolean ok, String what) {
        if (!ok) throw new IllegalStateException(what);
    }

    private static byte[] dataSet(Path f) throws IOException {
        try (InputStream in = StorageSource.probe(f).openDataSet()) {
            return in.readAllBytes();
        }
    }

    /** A port we prefer, or any free one if it is taken. */
    private static int port(int preferred) throws IOException {
        for (int p : new int[] {preferred, 0}) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("127.0.0.1", p));
                return s.getLocalPort();
            } catch (IOException taken) {
                // try any port
            }
        }
        throw new IOException("no free port");
    }

    private static String enrollmentToken(URI bridge, String fingerprint, String admin, String routerId)
            throws IOException, InterruptedException, GeneralSecurityException {
        ObjectMapper json = new ObjectMapper();
        HttpClient pinned = BridgeHttp.newClient(bridge, fingerprint, null, Duration.ofSeconds(10));
        HttpResponse<String> r = pinned.send(HttpRequest.newBuilder(bridge.resolve("/api/admin/enrollment-tokens"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("routerId", routerId, "displayName", routerId))))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) throw new IOException("the Bridge refused an enrollment token: HTTP " + r.statusCode() + " " + r.body());
        JsonNode n = json.readTree(r.body());
        return n.get("token").asText();
    }
}
