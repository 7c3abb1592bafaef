package org.dicomrelay.it;

import org.dicomrelay.dicom.io.SyntheticStudy;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Query/retrieve through both routers: DCMTK's findscu, movescu, getscu and echoscu (and our own
 * tools) at hospital A, our archive (FolderArchive with the H2 index) at hospital B, exported
 * with every service. The archive holds pydicom samples (little endian, JPEG 2000, two character
 * set samples) and a generated study of 300 instances for the C-CANCEL tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class QueryRetrieveThroughRoutersTest {
    private static final List<String> SAMPLES = List.of("test_files/CT_small.dcm", "test_files/MR_small.dcm", "test_files/JPEG2000.dcm",
            "charset_files/chrX1.dcm", "charset_files/chrH31.dcm");
    private static final int MANY = 300;
    private Path generated;
    private SyntheticStudy many;
    private RelayNetwork net;
    private final AtomicInteger runs = new AtomicInteger();

    @BeforeAll void start() throws Exception {
        generated = Files.createTempDirectory("relay-it-generated");
        many = SyntheticStudy.write(generated, MANY, "Many^Instances", "MANY-300");
        List<Path> files = new ArrayList<>();
        for (String s : SAMPLES) files.add(Samples.file(s));
        files.addAll(many.files());
        net = RelayNetwork.with(RelayNetwork.Pacs.ARCHIVE).archiveFiles(files).downDeviceB("DOWN_B", List.of("echo")).recordCloud().start();
    }

    @AfterAll void stop() {
        if (net != null) net.close();
        RelayNetwork.deleteTree(generated);
    }

    private String portA() {
        return String.valueOf(net.portA());
    }

    /** The archive's copy of a preloaded file. */
    private Path inArchive(Path original) {
        return net.pacsDir.resolve("preloaded").resolve(original.getFileName());
    }

    record Found(Peers.Result result, List<Attributes> matches) {}

    /** findscu (Study Root) at A to ARCHIVE_B, its responses extracted to files (-X) and read back. */
    private Found findscu(String... options) throws IOException {
        Path out = Files.createDirectories(net.work.resolve("findscu-" + runs.incrementAndGet()));
        List<String> cmd = new ArrayList<>(List.of("findscu", "-S", "-X", "-od", out.toString(), "-aet", RelayNetwork.WORKSTATION,
                "-aec", net.pacsAe));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of("127.0.0.1", portA()));
        Peers.Result r = Peers.run(cmd, java.time.Duration.ofSeconds(60));
        List<Attributes> matches = new ArrayList<>();
        try (Stream<Path> s = Files.list(out)) {
            for (Path f : s.sorted().toList()) matches.add(DataSets.read(f));
        }
        return new Found(r, matches);
    }

    private static Set<String> values(List<Attributes> matches, int tag) {
        Set<String> out = new HashSet<>();
        for (Attributes a : matches) out.add(a.getString(tag));
        return out;
    }

    // ---- C-FIND ----------------------------------------------------------------------------

    @Test void findscuAtAMatchesStudiesAtBByPatientNameWildcard() throws Exception {
        Found f = findscu("-k", "QueryRetrieveLevel=STUDY", "-k", "PatientName=CompressedSamples*", "-k", "StudyInstanceUID", "-k", "PatientID");
        assertThat(f.result().exitCode()).as(f.result().output()).isZero();
        Set<String> expected = new HashSet<>();
        for (String s : List.of("test_files/CT_small.dcm", "test_files/MR_small.dcm", "test_files/JPEG2000.dcm")) {
            expected.add(DataSets.studyUid(Samples.file(s)));
        }
        assertThat(values(f.matches(), Tag.StudyInstanceUID)).isEqualTo(expected);
        assertThat(values(f.matches(), Tag.PatientName)).allMatch(n -> n.startsWith("CompressedSamples^"));
    }

    @Test void findscuAtAMatchesSeriesAtBByModalityWildcard() throws Exception {
        Attributes ct = DataSets.read(Samples.file("test_files/CT_small.dcm"));
        Found f = findscu("-k", "QueryRetrieveLevel=SERIES", "-k", "StudyInstanceUID=" + ct.getString(Tag.StudyInstanceUID),
                "-k", "SeriesInstanceUID", "-k", "Modality=C?");
        assertThat(f.result().exitCode()).as(f.result().output()).isZero();
        assertThat(values(f.matches(), Tag.SeriesInstanceUID)).containsExactly(ct.getString(Tag.SeriesInstanceUID));
        assertThat(values(f.matches(), 0x00080060)).containsExactly("CT");
        Found none = findscu("-k", "QueryRetrieveLevel=SERIES", "-k", "StudyInstanceUID=" + ct.getString(Tag.StudyInstanceUID),
                "-k", "SeriesInstanceUID", "-k", "Modality=M?");
        assertThat(none.result().exitCode()).as(none.result().output()).isZero();
        assertThat(none.matches()).isEmpty();
    }

    @Test void findscuAtAMatchesImagesAtBByCommentWildcard() throws Exception {
        Found f = findscu("-k", "QueryRetrieveLevel=IMAGE", "-k", "StudyInstanceUID=" + many.studyUid(), "-k", "SeriesInstanceUID=" + many.seriesUid(),
                "-k", "SOPInstanceUID", "-k", "InstanceNumber", "-k", "ImageComments=slice 1?");
        assertThat(f.result().exitCode()).as(f.result().output()).isZero();
        Set<String> numbers = values(f.matches(), 0x00200013);
        assertThat(numbers).containsExactlyInAnyOrder("10", "11", "12", "13", "14", "15", "16", "17", "18", "19");
        Set<String> expected = new HashSet<>();
        for (int k = 10; k <= 19; k++) expected.add(DataSets.sopInstanceUid(many.files().get(k - 1)));
        assertThat(values(f.matches(), Tag.SOPInstanceUID)).isEqualTo(expected);
    }

    /**
     * A query in UTF-8 for a name stored in UTF-8 (chrX1) and one stored in ISO 2022 IR 87 (chrH31):
     * the identifiers cross the routers as DICOM JSON, and each match must come back with the
     * name as the archive holds it, decoded by its own Specific Character Set.
     */
    @Test void findscuAtAMatchesNonAsciiPersonNamesInTheirOwnCharacterSets() throws Exception {
        assertThat(Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8")).newEncoder().canEncode("王山田"))
                .as("command line arguments are passed to findscu in UTF-8 (run with a UTF-8 locale)").isTrue();
        for (String sample : List.of("charset_files/chrX1.dcm", "charset_files/chrH31.dcm")) {
            Attributes stored = DataSets.read(Samples.file(sample));
            String name = stored.getString(Tag.PatientName);
            String ideographic = name.split("=")[1];
            Found f = findscu("-k", "QueryRetrieveLevel=STUDY", "-k", "SpecificCharacterSet=ISO_IR 192", "-k", "PatientName=" + ideographic,
                    "-k", "StudyInstanceUID");
            assertThat(f.result().exitCode()).as(f.result().output()).isZero();
            assertThat(f.matches()).as("matches for %s (%s)", ideographic, sample).hasSize(1);
            Attributes match = f.matches().get(0);
            assertThat(match.getString(Tag.StudyInstanceUID)).isEqualTo(stored.getString(Tag.StudyInstanceUID));
            // chrX1's name ends with an empty phonetic group ("...=王^小東="): DICOM JSON (PS3.18 §F.2.2) has no
            // empty groups, so the routers return it without the trailing delimiter, which names the same person.
            assertThat(match.getString(Tag.PatientName)).as("name returned for %s", sample).isEqualTo(name.replaceAll("=+$", ""));
        }
    }

    // ---- C-MOVE, C-GET ---------------------------------------------------------------------

    @Test void movescuAtARetrievesStudiesIntoStorescpAtAByteIdentical() throws Exception {
        Path ct = Samples.file("test_files/CT_small.dcm"), j2k = Samples.file("test_files/JPEG2000.dcm");
        Peers.Result r = RelayNetwork.tool("movescu", "-S", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "-aem", RelayNetwork.DEST_A,
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + DataSets.studyUid(ct) + "\\" + DataSets.studyUid(j2k),
                "127.0.0.1", portA());
        assertThat(r.exitCode()).as(r.output()).isZero();
        for (Path f : List.of(ct, j2k)) {
            Path got = RelayNetwork.storedByStorescp(net.destADir, DataSets.sopInstanceUid(f))
                    .orElseThrow(() -> new AssertionError(f.getFileName() + " did not reach DEST_A:\n" + r.output()));
            assertThat(DataSets.transferSyntax(got)).isEqualTo(DataSets.transferSyntax(inArchive(f)));
            assertThat(DataSets.bytes(got)).as("data set at DEST_A vs in B's archive, %s", f.getFileName()).isEqualTo(DataSets.bytes(inArchive(f)));
        }
    }

    @Test void getscuAtAReceivesTheStudyOnItsOwnAssociation() throws Exception {
        Path mr = Samples.file("test_files/MR_small.dcm");
        Path into = Files.createDirectories(net.work.resolve("getscu"));
        Peers.Result r = RelayNetwork.tool("getscu", "-S", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "-od", into.toString(),
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + DataSets.studyUid(mr), "127.0.0.1", portA());
        assertThat(r.exitCode()).as(r.output()).isZero();
        Path got = RelayNetwork.storedByStorescp(into, DataSets.sopInstanceUid(mr))
                .orElseThrow(() -> new AssertionError("getscu stored nothing:\n" + r.output()));
        // getscu writes what it parsed (not bit preserving): the same attributes
        assertThat(DataSets.readWithoutPadding(got).contentEquals(DataSets.readWithoutPadding(inArchive(mr)))).isTrue();
    }

    @Test void dicomRelayGetAtAReceivesTheStudyByteIdentical() throws Exception {
        Path mr = Samples.file("test_files/MR_small.dcm");
        Path into = net.work.resolve("get");
        RelayNetwork.CliResult r = RelayNetwork.cli("get", "-c", net.atA(net.pacsAe), "-b", RelayNetwork.WORKSTATION, "--directory", into.toString(),
                "-m", "StudyInstanceUID=" + DataSets.studyUid(mr));
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        Path got = into.resolve(DataSets.sopInstanceUid(mr) + ".dcm");
        assertThat(got).exists();
        assertThat(DataSets.bytes(got)).isEqualTo(DataSets.bytes(inArchive(mr)));
    }

    // ---- C-ECHO ----------------------------------------------------------------------------

    @Test void echoscuAtAVerifiesTheArchiveAtB() throws Exception {
        Peers.Result r = RelayNetwork.tool("echoscu", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1", portA());
        assertThat(r.exitCode()).as(r.output()).isZero();
        RelayNetwork.CliResult ours = RelayNetwork.cli("echo", "-c", net.atA(net.pacsAe), "-b", RelayNetwork.WORKSTATION);
        assertThat(ours.exitCode()).as(ours.out() + ours.err()).isZero();
    }

    @Test void echoToAnExportedAeWhoseDeviceIsDownFailsWithProcessingFailure() throws Exception {
        RelayNetwork.CliResult ours = RelayNetwork.cli("echo", "-c", net.atA("DOWN_B"), "-b", RelayNetwork.WORKSTATION);
        assertThat(ours.exitCode()).as(ours.out() + ours.err()).isEqualTo(1);
        assertThat(ours.err()).contains("status 0110H");
        Peers.Result r = RelayNetwork.tool("echoscu", "-v", "-aet", RelayNetwork.WORKSTATION, "-aec", "DOWN_B", "127.0.0.1", portA());
        // DCMTK names no C-ECHO status but success; 0110 is Processing Failure (PS3.7 Annex C)
        assertThat(r.output()).as("echoscu's view").contains("Received Echo Response (Unknown Status: 0x110)");
        assertThat(net.logs.warnings("org.dicomrelay.router.RemoteExecutor", "C-ECHO to DOWN_B failed")).isNotEmpty();
    }

    // ---- C-CANCEL --------------------------------------------------------------------------

    @Test void cancelOfAFindStopsTheMatchingAtBAndEndsWithFE00() throws Exception {
        int before = net.recording.notifications.size();
        Peers.Result r = RelayNetwork.tool("findscu", "-v", "-S", "--cancel", "1", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe,
                "-k", "QueryRetrieveLevel=IMAGE", "-k", "StudyInstanceUID=" + many.studyUid(), "-k", "SeriesInstanceUID=" + many.seriesUid(),
                "-k", "SOPInstanceUID", "127.0.0.1", portA());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Final Find Response (Cancel: MatchingTerminatedDueToCancelRequest)");
        // B sends one notification per match: it stopped sending them at the cancel, well before the 300th
        // (without the cancel reaching it, 300 matches and the final response; typically about 10)
        int published = net.recording.notifications.size() - before;
        assertThat(published).as("notifications during the cancelled find").isLessThan(MANY / 2);
    }

    @Test void cancelOfAMoveStopsTheSubOperationsAndEndsWithFE00() throws Exception {
        Peers.Result r = RelayNetwork.tool("movescu", "-v", "-S", "--cancel", "1", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe,
                "-aem", RelayNetwork.DEST_A, "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + many.studyUid(), "127.0.0.1", portA());
        assertThat(r.output()).contains("Final Move Response (Cancel: SubOperationsTerminatedDueToCancelIndication)");
        long arrived;
        try (Stream<Path> s = Files.list(net.destADir)) {
            arrived = s.filter(p -> p.getFileName().toString().contains(many.studyUid().substring(0, many.studyUid().length() - 2))).count();
        }
        assertThat(arrived).as("instances of the cancelled move at DEST_A").isLessThan(MANY / 2);
    }
}
