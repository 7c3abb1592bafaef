package org.dicomrelay.router;

import org.dicomrelay.testkit.ByteSearch;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.BridgeNotifications;
import org.dicomrelay.relay.cloud.fs.FileSystemBlobStore;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.CloudCourier;
import org.dicomrelay.router.link.MemoryInboxes;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.dicomrelay.testkit.StoredFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Routers joined through a filesystem cloud with end-to-end envelopes: what reaches PACS B is the
 * data set that was sent, nothing in the cloud or the notifications names a patient, a study or
 * an AE, and a blob altered by one byte is rejected, not delivered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class CloudRelayTest {
    private static final List<String> ALL = List.of("echo", "store", "find", "move", "get");
    private Path work, cloud, pacsDir;
    private MemoryInboxes inboxes;
    private Router a, b;
    private DicomServer pacs;
    private TamperingBlobStore tamper;

    @BeforeAll void start() throws Exception {
        work = Files.createTempDirectory("cloud-relay");
        cloud = Files.createDirectories(work.resolve("cloud"));
        pacsDir = work.resolve("pacs");
        pacs = DicomServer.start(new ApplicationEntity("PACS_B").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onStore(new FolderStorage(pacsDir)));
        inboxes = new MemoryInboxes();
        RouterKeys ka = RouterKeys.generate(), kb = RouterKeys.generate();
        Map<String, PublicKeys> directory = Map.of("hospital-a", ka.publicKeys("hospital-a"), "hospital-b", kb.publicKeys("hospital-b"));
        tamper = new TamperingBlobStore(new FileSystemBlobStore(cloud));
        CloudCourier ca = new CloudCourier("hospital-a", ka, directory::get, tamper,
                new BridgeNotifications(inboxes.transport("hospital-a")));
        CloudCourier cb = new CloudCourier("hospital-b", kb, directory::get, new FileSystemBlobStore(cloud),
                new BridgeNotifications(inboxes.transport("hospital-b")));
        b = Router.start(new RouterConfig("hospital-b", work.resolve("b").toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                List.of(new Device("PACS_B", "127.0.0.1", pacs.port(), List.of("echo", "store"), List.of(), true))), cb, new RoutingTable());
        RoutingTable routes = new RoutingTable();
        routes.replace(List.of(new RoutingTable.Route("PACS_B", "hospital-b", Set.of("echo", "store"))));
        a = Router.start(new RouterConfig("hospital-a", work.resolve("a").toString(), "ROUTER_A", "127.0.0.1", 0, null, null, "remote",
                List.of(new Device("MODALITY", "127.0.0.1", 1, List.of(), List.of(), false))), ca, routes);
    }

    @AfterAll void stop() throws Exception {
        a.close();
        b.close();
        pacs.close();
    }

    private Peers.Result storescu(Path file) throws Exception {
        return Peers.run(List.of("storescu", "-aet", "MODALITY", "-aec", "PACS_B", "127.0.0.1", String.valueOf(a.port()), file.toString()),
                Duration.ofSeconds(60));
    }

    @Test void storedThroughTheCloudByteIdenticalAndNothingIdentifyingInTheCloud() throws Exception {
        List<String> secrets = new ArrayList<>(List.of("MODALITY", "PACS_B", "ROUTER_A", "ROUTER_B"));
        for (String f : List.of("test_files/CT_small.dcm", "test_files/MR_small_bigendian.dcm", "test_files/JPEG2000.dcm",
                "test_files/image_dfl.dcm")) {
            Path file = Samples.file(f);
            StorageSource src = StorageSource.probe(file);
            // our store sends the file's bytes as they are: they must arrive as they are
            try (StoreScu scu = StoreScu.open("127.0.0.1", a.port(), "PACS_B", "MODALITY",
                    List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
                assertThat(scu.store(src).status()).as("C-STORE through the relay, " + f).isZero();
            }
            Path got = pacsDir.resolve(src.sopInstanceUid() + ".dcm");
            assertThat(got).exists();
            assertThat(StorageSource.probe(got).transferSyntax().uid()).isEqualTo(src.transferSyntax().uid());
            assertThat(dataSet(got)).as("data set at PACS B vs sent, " + f).isEqualTo(dataSet(file));
            Attributes ds = DicomFile.read(file).dataSet();
            for (int tag : new int[] {0x00100010, 0x00100020, 0x0020000D, 0x00080018}) {
                String v = ds.getString(tag);
                if (v != null && v.length() >= 4) secrets.add(v);
            }
        }
        // DCMTK's storescu re-encodes some files itself: what arrives must be the same attributes.
        Path rt = Samples.file("test_files/rtstruct.dcm");
        Peers.Result r = storescu(rt);
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(DicomFile.read(pacsDir.resolve(StorageSource.probe(rt).sopInstanceUid() + ".dcm")).dataSet()
                .contentEquals(DicomFile.read(rt).dataSet())).isTrue();
        List<byte[]> everything = new ArrayList<>(inboxes.published);
        try (Stream<Path> s = Files.walk(cloud)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) everything.add(Files.readAllBytes(p));
            // blob names too
        }
        try (Stream<Path> s = Files.walk(cloud)) {
            s.forEach(p -> everything.add(p.toString().getBytes(StandardCharsets.UTF_8)));
        }
        for (String secret : secrets) {
            for (String form : List.of(secret, secret.replace('^', ' '))) {
                byte[] needle = form.getBytes(StandardCharsets.UTF_8);
                for (byte[] hay : everything) {
                    assertThat(ByteSearch.indexOf(hay, needle)).as("'%s' found in the cloud or a notification", form).isEqualTo(-1);
                }
            }
        }
    }

    @Test void echoThroughTheCloudVerifiesTheDevice() throws Exception {
        Peers.Result r = Peers.run(List.of("echoscu", "-aet", "MODALITY", "-aec", "PACS_B", "127.0.0.1", String.valueOf(a.port())),
                Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @Test void aBlobAlteredByOneByteIsRejectedAndNotDelivered() throws Exception {
        Path file = Samples.file("test_files/rtplan.dcm");
        StorageSource src = StorageSource.probe(file);
        tamper.enabled = true;
        try (StoreScu scu = StoreScu.open("127.0.0.1", a.port(), "PACS_B", "MODALITY",
                List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
            // ack mode "remote": the modality hears that the object did not arrive
            assertThat(scu.store(src).status()).isNotZero();
        } finally {
            tamper.enabled = false;
        }
        assertThat(pacsDir.resolve(src.sopInstanceUid() + ".dcm")).doesNotExist();
    }

    /** A cloud that alters one byte in the middle of every blob written while enabled. */
    static final class TamperingBlobStore implements BlobStore {
        final BlobStore delegate;
        volatile boolean enabled;

        TamperingBlobStore(BlobStore delegate) {
            this.delegate = delegate;
        }

        @Override public Upload create(String name, String recipientRouterId) throws java.io.IOException {
            Upload up = delegate.create(name, recipientRouterId);
            if (!enabled) return up;
            return new Upload() {
                long n;

                @Override public void write(int b) throws java.io.IOException {
                    up.write(n++ == 300 ? b ^ 1 : b);
                }

                @Override public void write(byte[] b, int off, int len) throws java.io.IOException {
                    for (int i = 0; i < len; i++) write(b[off + i]);
                }

                @Override public void close() throws java.io.IOException {
                    up.close();
                }

                @Override public void abort() {
                    up.abort();
                }
            };
        }

        @Override public java.io.InputStream open(String name) throws java.io.IOException {
            return delegate.open(name);
        }

        @Override public void delete(String name) throws java.io.IOException {
            delegate.delete(name);
        }

        @Override public void close() throws java.io.IOException {
            delegate.close();
        }
    }

    /** The data set bytes; deflated ones inflated, since one NUL of padding may follow the deflate stream. */
    static byte[] dataSet(Path f) throws Exception {
        StorageSource s = StorageSource.probe(f);
        try (var in = s.openDataSet()) {
            byte[] b = in.readAllBytes();
            return s.transferSyntax().deflated() ? org.dicomrelay.testkit.StoredFiles.inflate(b) : b;
        }
    }

}
