package org.dicomrelay.cli;

import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.testkit.Dcmqrscp;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The network tools as a PACS engineer runs them (dcm4che's conventions: -c AE@host:port, -b AE,
 * -L, -M, -m, -r): exit code 0 only on success, the DICOM status and its meaning otherwise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class NetworkToolsTest {
    private Path work;
    private DicomServer storage;
    private Path stored;
    private Dcmqrscp qr;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeAll void start() throws Exception {
        work = Files.createTempDirectory("tools");
        stored = work.resolve("stored");
        storage = DicomServer.start(new ApplicationEntity("STORE").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onStore(new FolderStorage(stored)));
        qr = Dcmqrscp.start(work, List.of("test_files/CT_small.dcm", "test_files/MR_small.dcm", "test_files/rtplan.dcm"),
                Map.of("STORE", storage.port()));
    }

    @AfterAll void stop() throws Exception {
        storage.close();
        qr.close();
    }

    String store() { return "STORE@127.0.0.1:" + storage.port(); }

    String qrscp() { return "QRSCP@127.0.0.1:" + qr.port(); }

    @Test void echoSucceedsWithExitCode0() {
        Run r = run("echo", "-c", store(), "-b", "TOOLS");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("success");
    }

    @Test void echoToAClosedPortFailsWithANonZeroExitCode() throws Exception {
        int port = org.dicomrelay.testkit.Peers.freePort();
        Run r = run("echo", "-c", "ANY@127.0.0.1:" + port);
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("cannot connect");
    }

    @Test void storeOfAFolderSendsEachFileAndNamesTheBrokenOnes() throws Exception {
        Path in = Files.createDirectories(work.resolve("in"));
        Files.copy(Samples.file("test_files/CT_small.dcm"), in.resolve("a.dcm"));
        Files.copy(Samples.file("test_files/MR_small_bigendian.dcm"), in.resolve("b.dcm"));
        Files.copy(Samples.file("test_files/MR_truncated.dcm"), in.resolve("c.dcm"));
        Run r = run("store", "-c", store(), in.toString());
        assertThat(r.code()).as("a broken file makes the run fail").isEqualTo(1);
        assertThat(r.err()).contains("c.dcm").contains("truncated");
        assertThat(r.out()).contains("stored 2 of 3 objects").contains("1 FAILED");
        try (Stream<Path> files = Files.list(stored)) {
            assertThat(files.count()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test void findAtStudyLevelPrintsEachMatchAsJsonOnOneLine() {
        Run r = run("find", "-c", qrscp(), "-L", "STUDY", "-M", "StudyRoot", "-m", "PatientName=*", "-r", "StudyDescription", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3).allSatisfy(l -> assertThat(l).startsWith("{").contains("\"0020000D\""));
        assertThat(r.err()).contains("3 match(es)");
    }

    @Test void moveOfAStudyReportsTheSubOperations() throws Exception {
        String study = org.dicomrelay.dicom.io.DicomFile.read(Samples.file("test_files/CT_small.dcm")).dataSet().getString(0x0020000D);
        Run r = run("move", "-c", qrscp(), "--dest", "STORE", "-L", "STUDY", "-m", "StudyInstanceUID=" + study);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("C-MOVE status 0000H").contains("completed 1");
    }

    @Test void moveToAnUnknownDestinationPrintsA801AndItsMeaning() {
        Run r = run("move", "-c", qrscp(), "--dest", "NOWHERE", "-L", "STUDY", "-m", "PatientName=*");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("A801H").containsIgnoringCase("move destination unknown");
    }

    @Test void getWritesTheStudyIntoTheDirectory() throws Exception {
        String study = org.dicomrelay.dicom.io.DicomFile.read(Samples.file("test_files/MR_small.dcm")).dataSet().getString(0x0020000D);
        Path dir = work.resolve("got");
        Run r = run("get", "-c", qrscp(), "--directory", dir.toString(), "-L", "STUDY", "-m", "StudyInstanceUID=" + study);
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(f -> f.toString().endsWith(".dcm")).count()).isEqualTo(1);
        }
    }
}
