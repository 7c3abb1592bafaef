package org.dicomrelay.cli;

import org.dicomrelay.testkit.StoredFiles;

import org.dicomrelay.archive.H2Index;
import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.dicom.io.FileMetaInformation;
import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderArchive;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.IndexedInstance;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code dicom-relay archive} run in-process as an operator would run it, answering DCMTK's
 * echoscu, storescu, findscu, movescu (to DCMTK's storescp and to our own storage SCP, both
 * listed with --dest) and getscu; restarted over the same folder without scanning it again; and
 * stopped by SIGTERM in a process of its own, its shutdown hook closing the index.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class ArchiveCommandTest {
    static final String CT = "test_files/CT_small.dcm", MR = "test_files/MR_small.dcm", RTPLAN = "test_files/rtplan.dcm",
            RTDOSE = "test_files/rtdose.dcm", FREN = "charset_files/chrFren.dcm";
    static final List<String> STORED = List.of(CT, MR, RTPLAN, RTDOSE, FREN);

    private Path work, dir, storescpDir, oursDir;
    private Peers.Server storescp;
    private DicomServer ours;
    private Running archive;
    private final Map<String, IndexedInstance> inst = new LinkedHashMap<>();

    /** A run of the command on a background thread, with its output. */
    static final class Running {
        final ArchiveCommand command;
        final Thread thread;
        final StringWriter out = new StringWriter(), err = new StringWriter();
        volatile int exitCode = -1;
        final int port;

        Running(String... args) throws InterruptedException {
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
            command = cl.getSubcommands().get("archive").getCommand();
            List<String> all = new ArrayList<>(List.of("archive"));
            all.addAll(List.of(args));
            thread = new Thread(() -> exitCode = cl.execute(all.toArray(String[]::new)), "archive-command");
            thread.start();
            port = command.awaitStarted(Duration.ofSeconds(60));
        }

        /** Stops it and returns the exit code. */
        int stop() throws InterruptedException {
            command.stop();
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(thread.isAlive()).as("the command returned").isFalse();
            return exitCode;
        }
    }

    @BeforeAll void start() throws Exception {
        work = Files.createTempDirectory("archivecmd");
        dir = work.resolve("archive");
        storescpDir = Files.createDirectories(work.resolve("storescp"));
        oursDir = work.resolve("ours");
        int storescpPort = Peers.freePort();
        storescp = Peers.startServer(List.of("storescp", "+B", "-od", storescpDir.toString(), "-aet", "STORESCP", String.valueOf(storescpPort)),
                storescpPort, null, Map.of());
        ours = DicomServer.start(new ApplicationEntity("OURS").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onStore(new FolderStorage(oursDir)));
        for (String s : STORED) inst.put(s, FolderArchive.read(Samples.file(s)));

        archive = new Running("--aet", "ARCHIVE", "--bind", "127.0.0.1", "--port", "0", "--dir", dir.toString(),
                "--dest", "STORESCP@127.0.0.1:" + storescpPort, "--dest", "OURS@127.0.0.1:" + ours.port());
        assertThat(archive.port).as(archive.err.toString()).isPositive();
        assertThat(archive.out.toString()).isEqualTo("archive ARCHIVE listening on 127.0.0.1:" + archive.port + ", 0 instances indexed\n");

        List<String> storescu = new ArrayList<>(List.of("storescu", "-aec", "ARCHIVE", "127.0.0.1", String.valueOf(archive.port)));
        for (String s : STORED) storescu.add(Samples.file(s).toString());
        Peers.Result r = Peers.run(storescu, Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @AfterAll void stop() throws Exception {
        try {
            if (archive != null) {
                assertThat(archive.stop()).isZero();
                assertThat(archive.err.toString()).contains("archive ARCHIVE stopped");
            }
        } finally {
            if (storescp != null) storescp.close();
            if (ours != null) ours.close();
        }
    }

    @Test void echoscuIsAnswered() throws Exception {
        Peers.Result r = Peers.run(List.of("echoscu", "-v", "-aec", "ARCHIVE", "127.0.0.1", String.valueOf(archive.port)), Duration.ofSeconds(30));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Received Echo Response (Success)");
    }

    /** What storescu sent (at start) is filed by study, byte for byte, and indexed in DIR/.index. */
    @Test void storescuObjectsAreFiledByStudyAndIndexed() throws Exception {
        for (String s : STORED) {
            IndexedInstance i = inst.get(s);
            Path filed = dir.resolve(i.studyInstanceUid()).resolve(i.sopInstanceUid() + ".dcm");
            assertThat(filed).as(s).isRegularFile();
            // storescu leaves out Data Set Trailing Padding (FFFC,FFFC) and sends implicit VR files as explicit VR: same content
            Attributes sent = DicomFile.read(Samples.file(s)).dataSet();
            sent.remove(0xFFFCFFFC);
            assertThat(DicomFile.read(filed).dataSet().contentEquals(sent)).as(s).isTrue();
        }
        assertThat(dir.resolve(".index/archive.mv.db")).isRegularFile();
    }

    @Test void findscuStudyLevelWildcardListsEveryStudyOnce() throws Exception {
        Path out = Files.createTempDirectory(work, "find");
        Peers.Result r = Peers.run(List.of("findscu", "-v", "-S", "-X", "-od", out.toString(), "-aec", "ARCHIVE",
                "-k", "QueryRetrieveLevel=STUDY", "-k", "PatientName=*", "-k", "StudyInstanceUID", "-k", "ModalitiesInStudy",
                "127.0.0.1", String.valueOf(archive.port)), Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Received Final Find Response (Success)");
        List<Attributes> rsp = responses(out);
        assertThat(rsp).extracting(a -> a.getString(Tag.StudyInstanceUID))
                .containsExactlyInAnyOrderElementsOf(STORED.stream().map(s -> inst.get(s).studyInstanceUid()).distinct().toList());
        Attributes ct = rsp.stream().filter(a -> a.getString(Tag.StudyInstanceUID).equals(inst.get(CT).studyInstanceUid())).findFirst().orElseThrow();
        assertThat(ct.getStrings(0x00080061)).containsExactly("CT");
        assertThat(ct.getString(0x00080054)).isEqualTo("ARCHIVE");
    }

    @Test void movescuToStorescpDeliversTheStudyByteIdentical() throws Exception {
        Peers.Result r = Peers.run(List.of("movescu", "-v", "-S", "-aec", "ARCHIVE", "-aem", "STORESCP",
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + inst.get(CT).studyInstanceUid(),
                "127.0.0.1", String.valueOf(archive.port)), Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Received Final Move Response (Success)");
        Map<String, Path> received = StoredFiles.byInstance(storescpDir);
        assertThat(received).containsKey(inst.get(CT).sopInstanceUid());
        assertThat(StoredFiles.dataSet(received.get(inst.get(CT).sopInstanceUid()))).isEqualTo(StoredFiles.dataSet(filed(CT)));
    }

    @Test void movescuToOurStorageScpDeliversTwoStudies() throws Exception {
        Peers.Result r = Peers.run(List.of("movescu", "-v", "-S", "-aec", "ARCHIVE", "-aem", "OURS", "-k", "QueryRetrieveLevel=STUDY",
                "-k", "StudyInstanceUID=" + inst.get(RTPLAN).studyInstanceUid() + "\\" + inst.get(RTDOSE).studyInstanceUid(),
                "127.0.0.1", String.valueOf(archive.port)), Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Received Final Move Response (Success)");
        Map<String, Path> received = StoredFiles.byInstance(oursDir);
        assertThat(received.keySet()).contains(inst.get(RTPLAN).sopInstanceUid(), inst.get(RTDOSE).sopInstanceUid());
        for (String s : List.of(RTPLAN, RTDOSE)) {
            assertThat(StoredFiles.dataSet(received.get(inst.get(s).sopInstanceUid()))).as(s).isEqualTo(StoredFiles.dataSet(filed(s)));
        }
    }

    @Test void movescuToADestinationNotGivenWithDestIsRefused() throws Exception {
        Peers.Result r = Peers.run(List.of("movescu", "-v", "-S", "-aec", "ARCHIVE", "-aem", "NOWHERE",
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + inst.get(MR).studyInstanceUid(),
                "127.0.0.1", String.valueOf(archive.port)), Duration.ofSeconds(60));
        assertThat(r.output()).contains("Received Final Move Response (Refused: MoveDestinationUnknown)");
    }

    @Test void getscuReceivesTheStudyOnItsOwnAssociation() throws Exception {
        Path out = Files.createTempDirectory(work, "getscu");
        Peers.Result r = Peers.run(List.of("getscu", "-v", "+B", "-S", "-aec", "ARCHIVE", "-od", out.toString(),
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + inst.get(MR).studyInstanceUid(),
                "127.0.0.1", String.valueOf(archive.port)), Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Number of Completed Suboperations : 1").contains("Number of Failed Suboperations    : 0");
        Map<String, Path> got = StoredFiles.byInstance(out);
        assertThat(got.keySet()).containsExactly(inst.get(MR).sopInstanceUid());
        assertThat(StoredFiles.dataSet(got.get(inst.get(MR).sopInstanceUid()))).isEqualTo(StoredFiles.dataSet(filed(MR)));
    }

    // ---- restart ----------------------------------------------------------------------------------

    /**
     * The first start scans the folder; the next one uses the index as it is (a file copied in by
     * hand meanwhile stays unknown, and findscu still finds everything indexed); --rescan adds it.
     */
    @Test void aRestartUsesTheIndexWithoutScanningAndRescanAddsFilesCopiedIn() throws Exception {
        Path folder = work.resolve("restart");
        Files.createDirectories(folder.resolve("in"));
        for (String s : List.of(CT, MR, RTPLAN)) Files.copy(Samples.file(s), folder.resolve("in").resolve(Path.of(s).getFileName()));
        String[] args = {"--aet", "RESTART", "--bind", "127.0.0.1", "--port", "0", "--dir", folder.toString()};

        Running first = new Running(args);
        assertThat(first.out.toString()).isEqualTo("archive RESTART listening on 127.0.0.1:" + first.port + ", 3 instances indexed\n");
        assertThat(first.stop()).isZero();

        String byHandUid = "2.25.161803398874989484820458683436563811";
        Attributes ds = DicomFile.read(Samples.file(CT)).dataSet();
        ds.setString(Tag.SOPInstanceUID, VR.UI, byHandUid);
        String ts = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid();
        DicomFile.write(folder.resolve("in/byhand.dcm"), FileMetaInformation.of(ds, ts), ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);

        Running second = new Running(args);
        try {
            assertThat(second.out.toString()).as("not scanned: the file copied in is not indexed")
                    .isEqualTo("archive RESTART listening on 127.0.0.1:" + second.port + ", 3 instances indexed\n");
            Path out = Files.createTempDirectory(work, "find");
            Peers.Result r = Peers.run(List.of("findscu", "-S", "-X", "-od", out.toString(), "-aec", "RESTART",
                    "-k", "QueryRetrieveLevel=IMAGE", "-k", "SOPInstanceUID", "127.0.0.1", String.valueOf(second.port)), Duration.ofSeconds(60));
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(responses(out)).extracting(a -> a.getString(Tag.SOPInstanceUID)).containsExactlyInAnyOrder(
                    inst.get(CT).sopInstanceUid(), inst.get(MR).sopInstanceUid(), inst.get(RTPLAN).sopInstanceUid());
        } finally {
            assertThat(second.stop()).isZero();
        }

        List<String> rescan = new ArrayList<>(List.of(args));
        rescan.add("--rescan");
        Running third = new Running(rescan.toArray(String[]::new));
        assertThat(third.out.toString()).isEqualTo("archive RESTART listening on 127.0.0.1:" + third.port + ", 4 instances indexed\n");
        assertThat(third.stop()).isZero();
    }

    // ---- usage and failures ---------------------------------------------------------------------------

    @Test void aPortInUseFailsWithExitCode2AndSaysWhy() throws Exception {
        Running r = new Running("--aet", "BUSY", "--bind", "127.0.0.1", "--port", String.valueOf(ours.port()), "--dir",
                work.resolve("busy").toString());
        assertThat(r.port).isEqualTo(-1);
        r.thread.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err.toString()).contains("cannot listen on 127.0.0.1:" + ours.port());
        assertThat(r.out.toString()).isEmpty();
    }

    @Test void missingOptionsAndBadValuesAreUsageErrors() {
        assertThat(NetworkToolsTest.run("archive", "--aet", "X", "--port", "0").code()).isEqualTo(2); // no --dir
        NetworkToolsTest.Run tooLong = NetworkToolsTest.run("archive", "--aet", "SEVENTEEN_CHARS_X", "--bind", "127.0.0.1", "--port", "0",
                "--dir", work.resolve("never").toString());
        assertThat(tooLong.code()).isEqualTo(2);
        assertThat(tooLong.err()).contains("not an AE title");
        NetworkToolsTest.Run twice = NetworkToolsTest.run("archive", "--aet", "A", "--bind", "127.0.0.1", "--port", "0",
                "--dir", work.resolve("never").toString(), "--dest", "D@127.0.0.1:1", "--dest", "D@127.0.0.1:2");
        assertThat(twice.code()).isEqualTo(2);
        assertThat(twice.err()).contains("D is given twice");
        assertThat(work.resolve("never")).as("nothing created on a usage error").doesNotExist();
        assertThat(NetworkToolsTest.run("archive", "--help").out()).contains("--bind").contains("0.0.0.0").contains("--dest");
    }

    // ---- Ctrl-C -----------------------------------------------------------------------------------------

    /** SIGTERM (what Ctrl-C and service managers send): the shutdown hook closes server and index; the index opens again at once. */
    @Test void sigtermClosesTheArchiveCleanly() throws Exception {
        Path folder = work.resolve("sigterm");
        Files.createDirectories(folder);
        Files.copy(Samples.file(CT), folder.resolve("ct.dcm"));
        String java = ProcessHandle.current().info().command().orElse("java");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path err = Files.createTempFile(work, "sigterm", ".log");
        Process p = new ProcessBuilder(java, "-Xmx128m", "-cp", classpath, Main.class.getName(), "archive", "--aet", "SIGTERM",
                "--bind", "127.0.0.1", "--port", "0", "--dir", folder.toString())
                .redirectError(err.toFile()).start();
        try {
            String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(line).as(Files.readString(err)).matches("archive SIGTERM listening on 127\\.0\\.0\\.1:\\d+, 1 instances indexed");
            String port = line.replaceAll(".*:(\\d+),.*", "$1");
            Peers.Result echo = Peers.run(List.of("echoscu", "-aec", "SIGTERM", "127.0.0.1", port), Duration.ofSeconds(30));
            assertThat(echo.exitCode()).as(echo.output()).isZero();
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(err)).contains("archive SIGTERM stopped");
        } finally {
            p.destroyForcibly();
        }
        try (H2Index index = H2Index.open(folder)) {
            assertThat(index.size()).isEqualTo(1);
            assertThat(index.holdsScannedFolder()).isTrue();
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /** Where the archive filed a sample it received. */
    private Path filed(String sample) {
        IndexedInstance i = inst.get(sample);
        return dir.resolve(i.studyInstanceUid()).resolve(i.sopInstanceUid() + ".dcm");
    }

    /** findscu -X writes each match to rsp0001.dcm, rsp0002.dcm … */
    private static List<Attributes> responses(Path dir) throws IOException {
        List<Attributes> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("rsp\\d+\\.dcm")).sorted().toList()) {
                out.add(DicomFile.read(f).dataSet());
            }
        }
        return out;
    }


}
