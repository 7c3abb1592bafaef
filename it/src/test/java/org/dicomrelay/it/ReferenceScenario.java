package org.dicomrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.io.SyntheticStudy;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The reference scenario on one Cloud IO provider (issue 12: "the relay with each provider passes
 * the reference scenario"): DCMTK's echoscu, storescu, findscu, movescu and getscu at router A
 * against our archive behind router B, every payload crossing the provider a subclass sets up.
 * Each operation must also leave the provider empty once done (blobs consumed and deleted,
 * notifications acknowledged), which the subclass checks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
abstract class ReferenceScenario {
    private static final Path CT = Samples.file("test_files/CT_small.dcm"), MR = Samples.file("test_files/MR_small.dcm");
    protected RelayNetwork net;
    private Path generated;
    private final AtomicInteger runs = new AtomicInteger();

    /** Starts the provider's emulator and returns the network with the routers on it. */
    protected abstract RelayNetwork.Builder onProvider(RelayNetwork.Builder network) throws Exception;

    /** Fails unless the provider holds nothing of the relay's (no blob, no upload, no notification). */
    protected abstract void assertProviderEmpty() throws Exception;

    /** Stops the provider's emulator (after the network). */
    protected abstract void stopProvider() throws Exception;

    @BeforeAll void start() throws Exception {
        generated = Files.createTempDirectory("relay-reference");
        net = onProvider(RelayNetwork.with(RelayNetwork.Pacs.ARCHIVE).archiveFiles(List.of(CT, MR))).start();
    }

    @AfterAll void stop() throws Exception {
        try {
            if (net != null) net.close();
        } finally {
            stopProvider();
            RelayNetwork.deleteTree(generated);
        }
    }

    private String portA() {
        return String.valueOf(net.portA());
    }

    private Path inArchive(Path original) {
        return net.pacsDir.resolve("preloaded").resolve(original.getFileName());
    }

    private void awaitProviderEmpty() {
        await("the provider emptied: blobs consumed and deleted, notifications acknowledged").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).untilAsserted(this::assertProviderEmpty);
    }

    /** findscu (Study Root) at A to the archive, its matches extracted (-X) and read back. */
    private List<Attributes> findscu(String... keys) throws IOException {
        Path out = Files.createDirectories(generated.resolve("findscu-" + runs.incrementAndGet()));
        List<String> cmd = new ArrayList<>(List.of("findscu", "-S", "-X", "-od", out.toString(), "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe));
        for (String k : keys) cmd.addAll(List.of("-k", k));
        cmd.addAll(List.of("127.0.0.1", portA()));
        Peers.Result r = Peers.run(cmd, Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isZero();
        List<Attributes> matches = new ArrayList<>();
        try (Stream<Path> s = Files.list(out)) {
            for (Path f : s.sorted().toList()) matches.add(DataSets.read(f));
        }
        return matches;
    }

    /** PS3.7 §9.3.5: C-ECHO, relayed to the archive and answered by it with Success (echoscu exits 0 on any status: -v shows it). */
    @Test void echoscuAtAVerifiesTheArchiveAtB() throws Exception {
        Peers.Result r = RelayNetwork.tool("echoscu", "-v", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1", portA());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).as("echoscu's received C-ECHO-RSP").contains("Received Echo Response (Success)");
        RelayNetwork.CliResult ours = RelayNetwork.cli("echo", "-c", net.atA(net.pacsAe), "-b", RelayNetwork.WORKSTATION);
        assertThat(ours.exitCode()).as(ours.out() + ours.err()).isZero();
    }

    /** PS3.4 Annex B: storescu's object is stored at the archive, and a C-FIND at A then finds it there. */
    @Test void storescuAtAStoresIntoTheArchiveAtB() throws Exception {
        SyntheticStudy s = SyntheticStudy.write(generated.resolve("store"), 2, 64, "Reference^Store", "REF-STORE");
        List<String> cmd = new ArrayList<>(List.of("storescu", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1", portA()));
        for (Path f : s.files()) cmd.add(f.toString());
        Peers.Result r = Peers.run(cmd, Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isZero();
        for (Path f : s.files()) net.awaitDelivered(DataSets.sopInstanceUid(f));
        List<Attributes> found = findscu("QueryRetrieveLevel=IMAGE", "StudyInstanceUID=" + s.studyUid(), "SeriesInstanceUID=" + s.seriesUid(),
                "SOPInstanceUID");
        List<String> expected = new ArrayList<>();
        for (Path f : s.files()) expected.add(DataSets.sopInstanceUid(f));
        assertThat(found).extracting(a -> a.getString(Tag.SOPInstanceUID)).containsExactlyInAnyOrderElementsOf(expected);
        awaitProviderEmpty();
    }

    /** PS3.4 Annex C: a Study Root C-FIND's matches come back through the provider. */
    @Test void findscuAtAMatchesTheArchivesStudies() throws Exception {
        List<Attributes> found = findscu("QueryRetrieveLevel=STUDY", "StudyInstanceUID=" + DataSets.studyUid(CT), "PatientName");
        assertThat(found).extracting(a -> a.getString(Tag.StudyInstanceUID)).containsExactly(DataSets.studyUid(CT));
        awaitProviderEmpty();
    }

    /** PS3.4 §C.4.2: C-MOVE to a storescp at A; the object arrives byte-identical. */
    @Test void movescuAtARetrievesIntoStorescpAtAByteIdentical() throws Exception {
        Peers.Result r = RelayNetwork.tool("movescu", "-S", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "-aem", RelayNetwork.DEST_A,
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + DataSets.studyUid(CT), "127.0.0.1", portA());
        assertThat(r.exitCode()).as(r.output()).isZero();
        Path got = RelayNetwork.storedByStorescp(net.destADir, DataSets.sopInstanceUid(CT))
                .orElseThrow(() -> new AssertionError("CT_small did not reach DEST_A:\n" + r.output()));
        assertThat(DataSets.bytes(got)).isEqualTo(DataSets.bytes(inArchive(CT)));
        awaitProviderEmpty();
    }

    /** PS3.4 §C.4.3: C-GET; the object comes back on getscu's own association. */
    @Test void getscuAtAReceivesTheStudy() throws Exception {
        Path into = Files.createDirectories(generated.resolve("getscu"));
        Peers.Result r = RelayNetwork.tool("getscu", "-S", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "-od", into.toString(),
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + DataSets.studyUid(MR), "127.0.0.1", portA());
        assertThat(r.exitCode()).as(r.output()).isZero();
        Path got = RelayNetwork.storedByStorescp(into, DataSets.sopInstanceUid(MR))
                .orElseThrow(() -> new AssertionError("getscu stored nothing:\n" + r.output()));
        // getscu writes what it parsed (not bit preserving): the same attributes
        assertThat(DataSets.readWithoutPadding(got).contentEquals(DataSets.readWithoutPadding(inArchive(MR)))).isTrue();
        awaitProviderEmpty();
    }
}
