package org.dicomrelay.router;

import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.relay.cloud.BridgeNotifications;
import org.dicomrelay.relay.cloud.Notifications;
import org.dicomrelay.relay.cloud.fs.FileSystemBlobStore;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.CloudCourier;
import org.dicomrelay.router.link.MemoryInboxes;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * No leftovers after a crash: router A "dies" between uploading an object's payload and
 * publishing its frame (simulated in one JVM by an inbox whose publish never returns, as a
 * killed process would not), then starts again on the same state folder. The payload no frame
 * names is deleted from the cloud, the spooled object is delivered once by the resend, and the
 * cloud and state folders hold nothing unexpected; temporary object files a crash left in the
 * state folder are removed at start.
 */
@Timeout(120)
class OrphanBlobsTest {
    private final RouterKeys ka = RouterKeys.generate(), kb = RouterKeys.generate();
    private final Map<String, PublicKeys> directory = Map.of("hospital-a", ka.publicKeys("hospital-a"), "hospital-b", kb.publicKeys("hospital-b"));
    private final MemoryInboxes inboxes = new MemoryInboxes();
    private Path work, cloud, pacsDir;
    private DicomServer pacs;
    private Router b, a;

    /** What a process killed mid-call leaves: the call never returns normally, nothing after it runs. */
    private static final class Killed extends Error {
        Killed() {
            super("router A killed between upload and publish (simulated)");
        }
    }

    @AfterEach void stop() throws IOException {
        if (a != null) a.close();
        if (b != null) b.close();
        if (pacs != null) pacs.close();
    }

    private RouterConfig configA() {
        return new RouterConfig("hospital-a", work.resolve("a").toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null,
                List.of(new Device("MODALITY", "127.0.0.1", 1, List.of(), List.of(), false)));
    }

    private Router startA(Notifications inbox) throws IOException {
        RoutingTable routes = new RoutingTable();
        routes.replace(List.of(new RoutingTable.Route("PACS_B", "hospital-b", Set.of("store"))));
        return Router.start(configA(), new CloudCourier("hospital-a", ka, directory::get, new FileSystemBlobStore(cloud), inbox), routes);
    }

    private List<Path> blobs() throws IOException {
        try (Stream<Path> s = Files.walk(cloud)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private List<String> temporaryFiles(Path state) throws IOException {
        try (Stream<Path> s = Files.list(state)) {
            return s.map(p -> p.getFileName().toString()).filter(IncomingFiles::isTemporary).toList();
        }
    }

    @Test void aPayloadWhoseFrameWasNeverPublishedIsDeletedAtRestartAndTheObjectStillArrives() throws Exception {
        work = Files.createTempDirectory("orphans");
        cloud = Files.createDirectories(work.resolve("cloud"));
        pacsDir = work.resolve("pacs");
        pacs = DicomServer.start(new ApplicationEntity("PACS_B").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onStore(new FolderStorage(pacsDir)));
        b = Router.start(new RouterConfig("hospital-b", work.resolve("b").toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                        List.of(new Device("PACS_B", "127.0.0.1", pacs.port(), List.of("store"), List.of(), true))),
                new CloudCourier("hospital-b", kb, directory::get, new FileSystemBlobStore(cloud), new BridgeNotifications(inboxes.transport("hospital-b"))),
                new RoutingTable());

        Notifications working = new BridgeNotifications(inboxes.transport("hospital-a"));
        a = startA(new Notifications() {
            @Override public void publish(String to, byte[] message) {
                throw new Killed();
            }

            @Override public List<Notification> poll(Duration timeout) throws IOException {
                return working.poll(timeout);
            }

            @Override public void ack(Notification n) throws IOException {
                working.ack(n);
            }

            @Override public void close() {}
        });
        Path file = Samples.file("test_files/CT_small.dcm");
        StorageSource src = StorageSource.probe(file);
        try (StoreScu scu = StoreScu.open("127.0.0.1", a.port(), "PACS_B", "MODALITY",
                List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
            assertThat(scu.store(src).status()).as("acknowledged once spooled").isZero();
        }
        // The forwarder thread ends with the simulated kill: that is the point, not a failure of the test.
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(30)).until(() -> !blobs().isEmpty());
        a.close();
        a = null;
        assertThat(blobs()).as("the payload no frame names, before the restart").hasSize(1);
        assertThat(pacsDir.resolve(src.sopInstanceUid() + ".dcm")).doesNotExist();
        // A crash in the middle of a retrieve or a relayed store leaves such files too.
        Path leftover = Files.createFile(work.resolve("a").resolve("instance-123.dcm"));
        Path incoming = Files.createFile(work.resolve("a").resolve("incoming-456.dcm"));

        a = startA(working);
        Path delivered = pacsDir.resolve(src.sopInstanceUid() + ".dcm");
        // The killed forwarder thread of the first router A may end only now: its Error is not this test's failure.
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(delivered));
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(blobs()).as("cloud folder after the restart").isEmpty());
        assertThat(leftover).doesNotExist();
        assertThat(incoming).doesNotExist();
        assertThat(temporaryFiles(work.resolve("a"))).isEmpty();
        assertThat(temporaryFiles(work.resolve("b"))).isEmpty();
        try (Stream<Path> s = Files.list(pacsDir)) {
            assertThat(s.count()).as("objects at the PACS").isEqualTo(1);
        }
    }
}
