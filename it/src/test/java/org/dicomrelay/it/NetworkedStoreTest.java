package org.dicomrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 9, point 1: two routers that share nothing but the Bridge's address relay the reference
 * scenario (DCMTK's storescu, findscu, movescu, getscu, echoscu at hospital A; our archive at
 * hospital B) through the default Cloud IO provider, "bridge": no provider assigned, no cloud
 * section, no shared folder. The payloads went through the Bridge's blobs folder, and nothing is
 * left there once they were consumed.
 */
@Timeout(180)
class NetworkedStoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static long[] blobsAtTheBridge(RelayNetwork net) throws Exception {
        JsonNode n = JSON.readTree(net.admin("GET", "/api/admin/blobs", null).body());
        return new long[] {n.get("blobs").asLong(), n.get("receivedSinceStart").asLong()};
    }

    private static List<Path> files(Path dir) throws Exception {
        if (!Files.exists(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    /** The records of router A's spool (one JSON file per entry). */
    private static List<JsonNode> spoolRecords(Path spool) throws Exception {
        try (Stream<Path> s = Files.list(spool)) {
            List<JsonNode> out = new java.util.ArrayList<>();
            for (Path f : s.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) out.add(JSON.readTree(f.toFile()));
            return out;
        }
    }

    @Test
    void storeFindMoveGetEchoThroughTheBridgeStoreWithNoSharedFolder() throws Exception {
        Path ct = Samples.file("test_files/CT_small.dcm"), mr = Samples.file("test_files/MR_small.dcm");
        try (RelayNetwork net = RelayNetwork.with(RelayNetwork.Pacs.ARCHIVE).archiveFiles(List.of(ct)).bridgeStore().start()) {
            String portA = String.valueOf(net.portA());
            assertThat(net.configA.cloud()).isNull();
            assertThat(net.configB.cloud()).isNull();

            // C-STORE: acknowledged from A's spool, delivered into B's archive through a blob at the Bridge.
            Peers.Result store = RelayNetwork.tool("storescu", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1", portA,
                    mr.toString());
            assertThat(store.exitCode()).as(store.output()).isZero();
            Path stored = net.pacsDir.resolve(DataSets.studyUid(mr)).resolve(DataSets.sopInstanceUid(mr) + ".dcm");
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(stored));

            // C-FIND finds what was stored.
            Path found = Files.createDirectories(net.work.resolve("found"));
            Peers.Result find = RelayNetwork.tool("findscu", "-S", "-X", "-od", found.toString(), "-aet", RelayNetwork.WORKSTATION,
                    "-aec", net.pacsAe, "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + DataSets.studyUid(mr), "127.0.0.1", portA);
            assertThat(find.exitCode()).as(find.output()).isZero();
            assertThat(files(found)).as(find.output()).hasSize(1);

            // C-MOVE to A's storescp, byte for byte.
            Peers.Result move = RelayNetwork.tool("movescu", "-S", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "-aem",
                    RelayNetwork.DEST_A, "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + DataSets.studyUid(ct), "127.0.0.1", portA);
            assertThat(move.exitCode()).as(move.output()).isZero();
            Path moved = RelayNetwork.storedByStorescp(net.destADir, DataSets.sopInstanceUid(ct))
                    .orElseThrow(() -> new AssertionError("CT_small did not reach DEST_A:\n" + move.output()));
            assertThat(DataSets.bytes(moved)).isEqualTo(DataSets.bytes(net.pacsDir.resolve("preloaded").resolve(ct.getFileName())));

            // C-GET of what was stored.
            Path got = Files.createDirectories(net.work.resolve("getscu"));
            Peers.Result get = RelayNetwork.tool("getscu", "-S", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "-od", got.toString(),
                    "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + DataSets.studyUid(mr), "127.0.0.1", portA);
            assertThat(get.exitCode()).as(get.output()).isZero();
            assertThat(RelayNetwork.storedByStorescp(got, DataSets.sopInstanceUid(mr))).as(get.output()).isPresent();

            // C-ECHO.
            Peers.Result echo = RelayNetwork.tool("echoscu", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1", portA);
            assertThat(echo.exitCode()).as(echo.output()).isZero();

            // The data sets (the stored object, the moved and the retrieved instance) were blobs at the Bridge...
            assertThat(blobsAtTheBridge(net)[1]).isGreaterThanOrEqualTo(3);
            // ...each deleted once its recipient read it: nothing left at the Bridge, and no other folder held any.
            await().atMost(Duration.ofSeconds(30)).until(() -> blobsAtTheBridge(net)[0] == 0);
            assertThat(files(net.bridgeBlobs())).isEmpty();
            assertThat(files(net.cloud)).as("the shared folder of the filesystem provider, unused").isEmpty();
        }
    }

    /**
     * Over its quota at the Bridge (HTTP 429), router A's C-STORE is a transient failure: the
     * modality had its Success from the spool, the entry stays pending with the cause, and is retried.
     */
    @Test
    void overItsQuotaAtTheBridgeAStoreStaysPendingAndIsRetried() throws Exception {
        Path mr = Samples.file("test_files/MR_small.dcm");
        try (RelayNetwork net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP).bridgeStore().bridgeQuota(1024).start()) {
            Peers.Result store = RelayNetwork.tool("storescu", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1",
                    String.valueOf(net.portA()), mr.toString());
            assertThat(store.exitCode()).as(store.output()).isZero();
            Path spool = Path.of(net.configA.stateDir()).resolve("spool");
            await().atMost(Duration.ofSeconds(60)).until(() -> spoolRecords(spool).stream().anyMatch(e -> e.path("attempts").asInt() >= 2));
            List<JsonNode> records = spoolRecords(spool);
            assertThat(records).hasSize(1);
            JsonNode entry = records.get(0);
            assertThat(entry.path("state").asText()).isEqualTo("pending");
            assertThat(entry.path("lastReason").asText()).contains("429").contains("quota");
            assertThat(RelayNetwork.storedByStorescp(net.pacsDir, DataSets.sopInstanceUid(mr))).isEmpty();
        }
    }

    /**
     * Review finding: with the default store (no cloud section) a router restarted while the Bridge
     * is unreachable refused to start, so its modalities were refused instead of spooled. It now opens
     * the store of the last directory it accepted and spools.
     */
    @Test
    void aRouterRestartedWhileTheBridgeIsDownStartsAndSpools() throws Exception {
        Path mr = Samples.file("test_files/MR_small.dcm");
        try (RelayNetwork net = RelayNetwork.with(RelayNetwork.Pacs.ARCHIVE).bridgeStore().start()) {
            net.stopRoutersAndBridge();
            try (org.dicomrelay.router.RouterApp a = org.dicomrelay.router.RouterApp.start(net.configA)) {
                Peers.Result store = RelayNetwork.tool("storescu", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1",
                        String.valueOf(a.port()), mr.toString());
                assertThat(store.exitCode()).as(store.output()).isZero();
                assertThat(org.dicomrelay.router.Spool.of(net.configA.state()).entries())
                        .extracting(org.dicomrelay.router.SpoolEntry::sopInstanceUid).containsExactly(DataSets.sopInstanceUid(mr));
            }
        }
    }
}
