package org.dicomrelay.it;

import org.dicomrelay.testkit.FileModes;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 9 ("spooled data sets are world-readable"): after enrollment at the Bridge, a C-STORE,
 * a C-MOVE and a C-GET through two routers with DCMTK peers, every file under both routers'
 * state folders and the Bridge's data folder is 0600 and every folder 0700, and what our archive
 * filed is too. The suite's umask (022) would have made them 0644/0755.
 */
@Timeout(180)
class StateModesThroughRoutersTest {
    private RelayNetwork net;

    @AfterEach void stop() {
        if (net != null) net.close();
    }

    @Test void stateOfBothRoutersTheBridgeAndTheArchiveIsOwnerOnlyAfterStoreMoveAndGet() throws Exception {
        Path mr = Samples.file("test_files/MR_small.dcm"), ct = Samples.file("test_files/CT_small.dcm");
        net = RelayNetwork.with(RelayNetwork.Pacs.ARCHIVE).archiveFiles(List.of(mr)).start();
        assumeTrue(FileModes.umaskIsPermissive(net.work), "the umask already keeps others out: nothing to prove");
        String portA = String.valueOf(net.portA());

        Peers.Result store = RelayNetwork.tool("storescu", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1", portA,
                ct.toString());
        assertThat(store.exitCode()).as(store.output()).isZero();
        Path filed = net.pacsDir.resolve(DataSets.studyUid(ct)).resolve(DataSets.sopInstanceUid(ct) + ".dcm");
        await("C-STORE to reach the archive").atMost(Duration.ofSeconds(60)).until(() -> Files.exists(filed));

        Peers.Result move = RelayNetwork.tool("movescu", "-S", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "-aem",
                RelayNetwork.DEST_A, "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + DataSets.studyUid(mr), "127.0.0.1", portA);
        assertThat(move.exitCode()).as(move.output()).isZero();
        assertThat(RelayNetwork.storedByStorescp(net.destADir, DataSets.sopInstanceUid(mr))).as(move.output()).isPresent();

        Path into = Files.createDirectories(net.work.resolve("getscu"));
        Peers.Result get = RelayNetwork.tool("getscu", "-S", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "-od", into.toString(),
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + DataSets.studyUid(mr), "127.0.0.1", portA);
        assertThat(get.exitCode()).as(get.output()).isZero();
        assertThat(RelayNetwork.storedByStorescp(into, DataSets.sopInstanceUid(mr))).as(get.output()).isPresent();

        Path a = net.work.resolve("a"), b = net.work.resolve("b");
        for (Path p : List.of(a.resolve("bridge-credentials.json"), a.resolve("keys"), a.resolve("routes.json"),
                a.resolve("peer-pins.json"), a.resolve("directory-version.json"), a.resolve("spool"), b.resolve("uploads"))) {
            assertThat(p).as("the walk covers it").exists();
        }
        for (Path root : List.of(a, b, net.bridgeDataDir())) {
            assertThat(FileModes.notOwnerOnly(root)).as("modes under " + root).isEmpty();
        }
        // The archive folder is the operator's (made by the fixture); what the archive creates in it is owner-only.
        assertThat(FileModes.notOwnerOnly(filed.getParent())).as("the study folder the archive filed the C-STORE in").isEmpty();
        assertThat(FileModes.mode(net.pacsDir.resolve(".index"))).isEqualTo("rwx------");
    }
}
