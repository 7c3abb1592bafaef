package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.dicomrelay.testkit.StoredFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * C-STORE against DCMTK, both directions, over every storable pydicom sample: a relay must not
 * re-encode what it forwards, so stored data sets are compared byte for byte.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class StoreInteropTest {
    /** storescu's option proposing each transfer syntax (with -R, only what the file needs). */
    static final Map<String, String> STORESCU_OPTION = Map.ofEntries(
            Map.entry("1.2.840.10008.1.2", "-xi"), Map.entry("1.2.840.10008.1.2.1", "-xe"),
            Map.entry("1.2.840.10008.1.2.2", "-xb"), Map.entry("1.2.840.10008.1.2.1.99", "-xd"),
            Map.entry("1.2.840.10008.1.2.4.70", "-xs"), Map.entry("1.2.840.10008.1.2.4.50", "-xy"),
            Map.entry("1.2.840.10008.1.2.4.51", "-xx"), Map.entry("1.2.840.10008.1.2.4.90", "-xv"),
            Map.entry("1.2.840.10008.1.2.4.91", "-xw"), Map.entry("1.2.840.10008.1.2.4.80", "-xt"),
            Map.entry("1.2.840.10008.1.2.4.81", "-xu"), Map.entry("1.2.840.10008.1.2.5", "-xr"));

    private Path work;
    private DicomServer ours;
    private Path oursDir;
    private Peers.Server storescp;
    private Path storescpDir;

    @BeforeAll void start() throws Exception {
        work = Files.createTempDirectory("store-interop");
        oursDir = work.resolve("ours");
        storescpDir = Files.createDirectories(work.resolve("storescp"));
        ApplicationEntity ae = new ApplicationEntity("OURSCP").accept(ApplicationEntity.ANY, ApplicationEntity.ANY);
        ours = DicomServer.start(ae, "127.0.0.1", 0, 4, new DimseServices().onStore(new FolderStorage(oursDir)));
        int port = Peers.freePort();
        storescp = Peers.startServer(List.of("storescp", "+B", "+xa", "-uf", "-od", storescpDir.toString(), "-aet", "STORESCP",
                String.valueOf(port)), port, null, Map.of());
    }

    @AfterAll void stop() throws Exception {
        ours.close();
        storescp.close();
    }

    static List<StorageSource> storableSamples() {
        List<StorageSource> out = new ArrayList<>();
        for (Path p : Samples.allDcm()) {
            try {
                StorageSource s = StorageSource.probe(p);
                // Media storage directories and the like are not sent over the network.
                if (s.sopClassUid().startsWith("1.2.840.10008.5.1.4.1.1") && s.hasMeta()
                        && !Samples.isBroken(p)) {
                    out.add(s);
                }
            } catch (IOException notStorable) {
                // the deliberately broken samples
            }
        }
        return out;
    }

    @TestFactory Stream<DynamicTest> storescuToOurScpStoresWhatStorescpBitPreservingStores() {
        return storableSamples().stream().filter(s -> STORESCU_OPTION.containsKey(s.transferSyntax().uid()))
                .map(s -> DynamicTest.dynamicTest(Samples.root().relativize(s.file()).toString(), () -> {
                    String opt = STORESCU_OPTION.get(s.transferSyntax().uid());
                    clean(oursDir);
                    clean(storescpDir);
                    Peers.Result b = Peers.run(List.of("storescu", "-R", opt, "-aet", "STORESCU", "-aec", "STORESCP", "127.0.0.1",
                            String.valueOf(storescp.port), s.file().toString()), Duration.ofSeconds(60));
                    Assumptions.assumeTrue(b.exitCode() == 0, "storescu cannot send this file: " + b.output().strip());
                    Peers.Result a = Peers.run(List.of("storescu", "-R", opt, "-aet", "STORESCU", "-aec", "OURSCP", "127.0.0.1",
                            String.valueOf(ours.port()), s.file().toString()), Duration.ofSeconds(60));
                    assertThat(a.exitCode()).as(a.output()).isZero();
                    Path mine = oursDir.resolve(s.sopInstanceUid() + ".dcm");
                    Path theirs = storedBy(storescpDir, s.sopInstanceUid()).orElseThrow(() -> new AssertionError("storescp stored nothing for " + s.sopInstanceUid()));
                    assertThat(dataSet(mine)).as("data set stored by us vs by storescp +B").isEqualTo(dataSet(theirs));
                    assertThat(StorageSource.probe(mine).transferSyntax().uid()).isEqualTo(StorageSource.probe(theirs).transferSyntax().uid());
                }));
    }

    @TestFactory Stream<DynamicTest> ourStoreToStorescpBitPreservingKeepsEveryByte() {
        return storableSamples().stream().map(s -> DynamicTest.dynamicTest(Samples.root().relativize(s.file()).toString(), () -> {
            clean(storescpDir);
            try (StoreScu scu = StoreScu.open("127.0.0.1", storescp.port, "STORESCP", "OURSCU",
                    List.of(new StoreScu.Need(s.sopClassUid(), s.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
                DimseResponse rsp = scu.store(s);
                assertThat(rsp.status()).as("C-STORE-RSP status for %s", s.file()).isZero();
            } catch (IOException e) {
                throw new AssertionError(s.file() + ": " + e.getMessage() + "\nstorescp log:\n" + storescp.log(), e);
            }
            Path theirs = storedBy(storescpDir, s.sopInstanceUid()).orElseThrow();
            assertThat(StorageSource.probe(theirs).transferSyntax().uid()).isEqualTo(s.transferSyntax().uid());
            assertThat(dataSet(theirs)).as("data set as stored by storescp +B vs our source file").isEqualTo(dataSet(s.file()));
        }));
    }

    static void clean(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) Files.delete(f);
        }
    }

    static Optional<Path> storedBy(Path dir, String iuid) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            // each test empties the folder first: the one file there is the one just stored
            return files.filter(f -> !f.getFileName().toString().startsWith(".")).findFirst();
        }
    }

    static byte[] dataSet(Path file) throws IOException {
        StorageSource s = StorageSource.probe(file);
        try (InputStream in = s.openDataSet()) {
            byte[] b = in.readAllBytes();
            // Deflated data sets may carry one NUL of padding after the deflate stream: compare what they inflate to.
            return s.transferSyntax().deflated() ? org.dicomrelay.testkit.StoredFiles.inflate(b) : b;
        }
    }
}
