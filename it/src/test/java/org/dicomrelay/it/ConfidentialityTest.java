package org.dicomrelay.it;

import org.dicomrelay.testkit.ByteSearch;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End-to-end confidentiality: after a full exchange between hospitals A and B (store, find, move,
 * get, echo), nothing the cloud or the Bridge holds or carried names a patient, a study, a series,
 * an instance or an AE. "Everything" is: every notification as published (recorded on its way to
 * the Bridge, since acknowledged notifications are deleted), every blob as written and its name
 * (blobs are deleted once read), whatever is left under the cloud folder, and every byte of the
 * Bridge's data folder (H2 database included) and of its log. The Bridge's AE directory holds the
 * exported AE titles by design, so those are searched for in the cloud and the notifications only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class ConfidentialityTest {
    private Path generated;
    private SyntheticStudy study;
    private RelayNetwork net;

    @BeforeAll void start() throws Exception {
        generated = Files.createTempDirectory("relay-it-confidential");
        study = SyntheticStudy.write(generated, 3, "Confidential^Patientname", "CONF-4711-XY");
        net = RelayNetwork.with(RelayNetwork.Pacs.ARCHIVE).recordCloud().start();
    }

    @AfterAll void stop() {
        if (net != null) net.close();
        RelayNetwork.deleteTree(generated);
    }

    @Test void nothingInTheCloudOrAtTheBridgeNamesAPatientAStudyOrAnAe() throws Exception {
        Path ct = Samples.file("test_files/CT_small.dcm");
        exchange(ct);

        Set<String> secrets = new LinkedHashSet<>();
        for (Path f : concat(study.files(), List.of(ct))) {
            Attributes ds = DataSets.read(f);
            for (int tag : new int[] {Tag.PatientName, Tag.PatientID, Tag.StudyInstanceUID, Tag.SeriesInstanceUID, Tag.SOPInstanceUID}) {
                String v = ds.getString(tag);
                // short values (CT_small's patient ID "1CT1") would match random ciphertext by chance
                if (v != null && v.length() >= 6) {
                    secrets.add(v);
                    if (v.contains("^")) secrets.add(v.replace('^', ' '));
                }
            }
        }
        Set<String> exported = Set.of(net.pacsAe);
        Set<String> localAes = Set.of(RelayNetwork.WORKSTATION, RelayNetwork.DEST_A, RelayNetwork.ROUTER_A, RelayNetwork.ROUTER_B);
        Set<String> everything = new LinkedHashSet<>(secrets);
        everything.addAll(exported);
        everything.addAll(localAes);

        RecordingCloudProvider.Recording rec = net.recording;
        // Moved and got: a blob each; the stored ones (and CT_small) may share bundles: at least one more blob.
        int instancesCarried = study.files().size() * 2 + 1;
        assertThat(rec.blobs).as("blobs written to the cloud").hasSizeGreaterThanOrEqualTo(instancesCarried);
        assertThat(rec.notifications).as("notifications published").hasSizeGreaterThan(instancesCarried);

        Map<String, byte[]> cloudSide = new LinkedHashMap<>();
        for (int i = 0; i < rec.notifications.size(); i++) cloudSide.put("notification " + i, rec.notifications.get(i));
        rec.blobs.forEach((name, bytes) -> {
            cloudSide.put("blob " + name, bytes);
            cloudSide.put("blob name " + name, name.getBytes(StandardCharsets.UTF_8));
        });
        cloudSide.putAll(filesUnder(net.cloud));
        assertThat(hits(cloudSide, everything)).as("secrets in notifications, blobs, blob names or the cloud folder").isEmpty();

        List<String> bridgeLog = net.logs.lines().stream().filter(l -> l.contains(" org.dicomrelay.bridge.")
                || l.contains(" io.javalin") || l.contains(" org.eclipse.jetty")).toList();
        net.stopRoutersAndBridge();
        Map<String, byte[]> bridgeSide = filesUnder(net.bridgeDataDir());
        assertThat(bridgeSide.keySet()).as("the Bridge's data folder").anyMatch(n -> n.endsWith(".mv.db"));
        bridgeSide.put("Bridge log", String.join("\n", bridgeLog).getBytes(StandardCharsets.UTF_8));
        Set<String> notAtTheBridge = new LinkedHashSet<>(secrets);
        notAtTheBridge.addAll(localAes);
        assertThat(hits(bridgeSide, notAtTheBridge)).as("secrets in the Bridge's database, files or log").isEmpty();
        // the scan reads the database for real: the exported AE title is in its directory table
        assertThat(hits(bridgeSide, exported)).as("exported AE titles in the Bridge's AE directory").isNotEmpty();
    }

    /** Store, find, move, get and echo between A and B, each checked for success. */
    private void exchange(Path ct) throws Exception {
        String portA = String.valueOf(net.portA());
        List<String> store = new ArrayList<>(List.of("store", "-c", net.atA(net.pacsAe), "-b", RelayNetwork.WORKSTATION));
        study.files().forEach(f -> store.add(f.toString()));
        RelayNetwork.CliResult stored = RelayNetwork.cli(store.toArray(String[]::new));
        assertThat(stored.exitCode()).as(stored.out() + stored.err()).isZero();
        Peers.Result storescu = RelayNetwork.tool("storescu", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1", portA, ct.toString());
        assertThat(storescu.exitCode()).as(storescu.output()).isZero();
        for (Path f : concat(study.files(), List.of(ct))) net.awaitDelivered(DataSets.sopInstanceUid(f));

        Peers.Result find = RelayNetwork.tool("findscu", "-S", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "-k", "QueryRetrieveLevel=STUDY",
                "-k", "PatientName=Confidential^Patientname", "-k", "PatientID=CONF-4711-XY", "-k", "StudyInstanceUID", "127.0.0.1", portA);
        assertThat(find.exitCode()).as(find.output()).isZero();
        assertThat(find.output()).contains(study.studyUid());

        Peers.Result move = RelayNetwork.tool("movescu", "-S", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "-aem", RelayNetwork.DEST_A,
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + study.studyUid(), "127.0.0.1", portA);
        assertThat(move.exitCode()).as(move.output()).isZero();
        for (Path f : study.files()) {
            assertThat(RelayNetwork.storedByStorescp(net.destADir, DataSets.sopInstanceUid(f))).as("moved to DEST_A").isPresent();
        }

        Path into = net.work.resolve("get");
        RelayNetwork.CliResult got = RelayNetwork.cli("get", "-c", net.atA(net.pacsAe), "-b", RelayNetwork.WORKSTATION, "--directory",
                into.toString(), "-m", "StudyInstanceUID=" + study.studyUid());
        assertThat(got.exitCode()).as(got.out() + got.err()).isZero();
        for (Path f : study.files()) assertThat(into.resolve(DataSets.sopInstanceUid(f) + ".dcm")).exists();

        RelayNetwork.CliResult echo = RelayNetwork.cli("echo", "-c", net.atA(net.pacsAe), "-b", RelayNetwork.WORKSTATION);
        assertThat(echo.exitCode()).as(echo.out() + echo.err()).isZero();
    }

    private static List<Path> concat(List<Path> a, List<Path> b) {
        List<Path> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** Every file's bytes, and every path's name (as bytes), under a folder. */
    private static Map<String, byte[]> filesUnder(Path root) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                out.put("name of " + p, root.relativize(p).toString().getBytes(StandardCharsets.UTF_8));
                if (Files.isRegularFile(p)) out.put(p.toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    /** "where: what" for every secret found in any of the byte strings. */
    private static List<String> hits(Map<String, byte[]> haystacks, Set<String> secrets) {
        List<String> found = new ArrayList<>();
        for (String secret : secrets) {
            byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
            haystacks.forEach((where, hay) -> {
                if (ByteSearch.indexOf(hay, needle) >= 0) found.add(where + ": " + secret);
            });
        }
        return found;
    }

}
