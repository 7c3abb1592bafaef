package org.dicomrelay.dicom.net.service;

import org.dicomrelay.dicom.io.SyntheticStudy;
import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.Association;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.StoredFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * C-STORE from a stream ({@link StreamSource}): the data set goes out in P-DATA fragments as the
 * stream yields it (PS3.8 §9.3.5, the last fragment flagged in its message control header only
 * at the end), and arrives byte-identical at storescp and at our SCP. A stream that fails
 * midway (router B: a payload segment that fails authentication, or one cut short) ends the
 * association with A-ABORT (PS3.8 §7.3.2), never with the last fragment: storescp in both its
 * modes (+B writes the file as the data arrives; the default keeps the data set in memory) and
 * our SCP keep nothing of the object (DCMTK's storescp deletes the file when DIMSE_storeProvider
 * fails, unless --ignore).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class StreamStoreTest {
    private Path work, oursDir, storescpDir, storescpMemoryDir;
    private DicomServer ours;
    private Peers.Server storescp, storescpMemory;
    private StorageSource big;
    /** What our SCP's storage saw of each C-STORE: "stored" or the failure its read of the data set met. */
    private final List<String> oursSaw = new CopyOnWriteArrayList<>();

    @BeforeAll void start() throws Exception {
        work = Files.createTempDirectory("stream-store");
        oursDir = work.resolve("ours");
        storescpDir = Files.createDirectories(work.resolve("storescp"));
        storescpMemoryDir = Files.createDirectories(work.resolve("storescp-memory"));
        FolderStorage folder = new FolderStorage(oursDir);
        ours = DicomServer.start(new ApplicationEntity("OURSCP").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onStore((as, rq, data) -> {
                    try {
                        int status = folder.store(as, rq, data);
                        oursSaw.add("stored");
                        return status;
                    } catch (IOException e) {
                        oursSaw.add("failed: " + e.getMessage());
                        throw e;
                    }
                }));
        int port = Peers.freePort();
        storescp = Peers.startServer(List.of("storescp", "-v", "+B", "+xa", "-uf", "-od", storescpDir.toString(), "-aet", "STORESCP",
                String.valueOf(port)), port, null, Map.of());
        int memoryPort = Peers.freePort();
        storescpMemory = Peers.startServer(List.of("storescp", "-v", "+xa", "-uf", "-od", storescpMemoryDir.toString(), "-aet", "STORESCP",
                String.valueOf(memoryPort)), memoryPort, null, Map.of());
        // 1,800 x 1,800 x 16 bits: 6.5 MB, hundreds of P-DATA fragments.
        big = StorageSource.probe(SyntheticStudy.write(work.resolve("big"), 1, 1800, "STREAM^TEST", "S1").files().get(0));
    }

    @AfterAll void stop() throws Exception {
        ours.close();
        storescp.close();
        storescpMemory.close();
    }

    private StoreScu open(int port, String ae) throws IOException {
        return StoreScu.open("127.0.0.1", port, ae, "STREAMER", List.of(new StoreScu.Need(big.sopClassUid(), big.transferSyntax().uid())),
                AssociationOptions.DEFAULT);
    }

    private StreamSource stream(InputStream in) {
        return new StreamSource(in, big.sopClassUid(), big.sopInstanceUid(), big.transferSyntax());
    }

    /** The data set, failing with {@code failure} after {@code bytes} bytes (a forged segment, a cut payload). */
    private InputStream failingAfter(long bytes, IOException failure) throws IOException {
        return new FilterInputStream(big.openDataSet()) {
            long n;

            @Override public int read(byte[] b, int off, int len) throws IOException {
                if (n >= bytes) throw failure;
                int k = super.read(b, off, (int) Math.min(len, bytes - n));
                if (k > 0) n += k;
                return k;
            }
        };
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.exists(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private static void clean(Path dir) throws IOException {
        for (Path f : files(dir)) Files.delete(f);
    }

    @Test void aStreamedObjectArrivesByteIdenticalAtStorescpAndOurScp() throws Exception {
        clean(storescpDir);
        clean(oursDir);
        byte[] expected;
        try (InputStream in = big.openDataSet()) {
            expected = in.readAllBytes();
        }
        for (Path dir : List.of(storescpDir, oursDir)) {
            try (StoreScu scu = dir == storescpDir ? open(storescp.port, "STORESCP") : open(ours.port(), "OURSCP");
                 InputStream in = big.openDataSet()) {
                StreamSource src = stream(in);
                assertThat(scu.store(src).status()).as("C-STORE-RSP from " + dir.getFileName()).isZero();
                assertThat(src.failure()).isNull();
            }
            Path stored = StoredFiles.byInstance(dir).get(big.sopInstanceUid());
            assertThat(stored).as("stored by " + dir.getFileName()).isNotNull();
            assertThat(StoredFiles.dataSet(stored)).as("data set stored by " + dir.getFileName() + " vs streamed").isEqualTo(expected);
        }
    }

    @Test void aStreamThatFailsMidwayAbortsTheAssociationAndStorescpKeepsNothing() throws Exception {
        for (Peers.Server server : List.of(storescp, storescpMemory)) {
            Path dir = server == storescp ? storescpDir : storescpMemoryDir;
            clean(dir);
            int abortsBefore = count(server.log(), "Association Aborted");
            IOException forged = new IOException("segment 3 failed authentication");
            StreamSource src;
            Association as;
            try (StoreScu scu = open(server.port, "STORESCP")) {
                as = scu.association();
                src = stream(failingAfter(3_000_000, forged));
                assertThatThrownBy(() -> scu.store(src)).hasMessageContaining("association aborted").hasRootCauseMessage(forged.getMessage());
            }
            assertThat(src.failure()).as("the source's failure, told apart from the peer's").isSameAs(forged);
            assertThat(as.awaitEnd(10, TimeUnit.SECONDS)).isTrue();
            assertThat(as.failure()).hasMessageContaining("aborted locally");
            await("storescp sees the A-ABORT").atMost(Duration.ofSeconds(20)).until(() -> count(server.log(), "Association Aborted") > abortsBefore);
            assertThat(server.log()).contains("Store SCP Failed");
            assertThat(files(dir)).as("files storescp kept of an aborted C-STORE (" + (server == storescp ? "+B" : "in memory") + ")").isEmpty();
            assertThat(server.isAlive()).isTrue();
        }
    }

    @Test void aStreamThatFailsMidwayLeavesNothingAtOurScpAndItsReadFails() throws Exception {
        clean(oursDir);
        oursSaw.clear();
        IOException cut = new IOException("the payload was cut short");
        try (StoreScu scu = open(ours.port(), "OURSCP")) {
            StreamSource src = stream(failingAfter(2_500_000, cut));
            assertThatThrownBy(() -> scu.store(src)).hasMessageContaining("association aborted");
            assertThat(src.failure()).isSameAs(cut);
        }
        await("our SCP's storage ends").atMost(Duration.ofSeconds(20)).until(() -> !oursSaw.isEmpty());
        // Had the last fragment gone out, the read would have ended normally and a truncated object been stored.
        assertThat(oursSaw).singleElement().asString().startsWith("failed: ").contains("abort");
        assertThat(files(oursDir)).as("files our SCP kept of an aborted C-STORE (its .part file included)").isEmpty();
    }

    private static int count(String log, String what) {
        int n = 0;
        for (int i = log.indexOf(what); i >= 0; i = log.indexOf(what, i + 1)) n++;
        return n;
    }
}
