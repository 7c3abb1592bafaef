package org.dicomrelay.it;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference scenario with DCMTK dcmqrscp as PACS B: objects stored at A through both routers
 * are in dcmqrscp's database afterwards, found by a C-FIND from A through the routers too.
 * dcmqrscp (as the fixture runs it) accepts the uncompressed transfer syntaxes only, so the
 * samples are little endian explicit and implicit, and big endian. It writes what it parsed,
 * without the CT sample's Data Set Trailing Padding: the same attributes otherwise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class StoreToDcmqrscpTest {
    private static final List<String> SAMPLES = List.of("test_files/CT_small.dcm", "test_files/MR_small_bigendian.dcm", "test_files/rtplan.dcm");
    private RelayNetwork net;

    @BeforeAll void start() throws Exception {
        net = RelayNetwork.with(RelayNetwork.Pacs.DCMQRSCP).start();
    }

    @AfterAll void stop() {
        if (net != null) net.close();
    }

    private Optional<Path> inDatabase(String sopInstanceUid) throws IOException {
        try (Stream<Path> s = Files.list(net.pacsDir)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                try {
                    if (StorageSource.probe(f).sopInstanceUid().equals(sopInstanceUid)) return Optional.of(f);
                } catch (IOException notDicom) {
                    // index.dat
                }
            }
        }
        return Optional.empty();
    }

    @Test void storedAtAIsFoundByCFindFromAAndHeldWithTheSameAttributes() throws Exception {
        List<String> args = new ArrayList<>(List.of("store", "-c", net.atA(net.pacsAe), "-b", RelayNetwork.WORKSTATION));
        for (String s : SAMPLES) args.add(Samples.file(s).toString());
        RelayNetwork.CliResult stored = RelayNetwork.cli(args.toArray(String[]::new));
        assertThat(stored.exitCode()).as(stored.out() + stored.err()).isZero();
        for (String s : SAMPLES) {
            Path sent = Samples.file(s);
            String iuid = DataSets.sopInstanceUid(sent);
            net.awaitDelivered(iuid);
            Attributes ds = DataSets.read(sent);
            Peers.Result found = RelayNetwork.tool("findscu", "-S", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe,
                    "-k", "QueryRetrieveLevel=IMAGE", "-k", "StudyInstanceUID=" + ds.getString(Tag.StudyInstanceUID),
                    "-k", "SeriesInstanceUID=" + ds.getString(Tag.SeriesInstanceUID), "-k", "SOPInstanceUID",
                    "127.0.0.1", String.valueOf(net.portA()));
            assertThat(found.exitCode()).as(found.output()).isZero();
            assertThat(found.output()).as("C-FIND through the routers for %s", s).contains(iuid);
            Path held = inDatabase(iuid).orElseThrow(() -> new AssertionError(s + " not in dcmqrscp's database"));
            assertThat(DataSets.readWithoutPadding(held).contentEquals(DataSets.readWithoutPadding(sent)))
                    .as("attributes in dcmqrscp's database vs sent, %s", s).isTrue();
        }
    }
}
