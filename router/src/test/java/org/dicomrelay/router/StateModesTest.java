package org.dicomrelay.router;

import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.relay.cloud.BridgeNotifications;
import org.dicomrelay.relay.cloud.fs.FileSystemBlobStore;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.CloudCourier;
import org.dicomrelay.router.link.MemoryInboxes;
import org.dicomrelay.testkit.FileModes;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 9: everything under a router's state folder is 0600 (files) / 0700 (folders) whatever the
 * umask. The suite's umask (022) would make them 0644/0755, so the router must set each mode.
 */
@Timeout(120)
class StateModesTest {
    @TempDir Path work;

    @BeforeEach void permissiveUmask() throws Exception {
        assumeTrue(FileModes.umaskIsPermissive(work), "the umask already keeps others out: nothing to prove");
    }

    /** {@code Files.copy(in, path, REPLACE_EXISTING)} recreates the file with the umask's mode: fill must not. */
    @Test void temporaryObjectFilesStay0600WhenFilled() throws Exception {
        for (Path f : List.of(IncomingFiles.createInstance(work))) {
            IncomingFiles.fill(f, new ByteArrayInputStream(new byte[] {1, 2, 3}));
            assertThat(Files.size(f)).isEqualTo(3);
            assertThat(FileModes.mode(f)).as(f.getFileName().toString()).isEqualTo("rw-------");
        }
    }

    @Test void aRouterPairKeepsBothStateFoldersOwnerOnlyIncludingFilesInTransitAndAnOlderVersionsFiles() throws Exception {
        Path stateA = work.resolve("a"), stateB = work.resolve("b"), cloud = Files.createDirectories(work.resolve("cloud"));
        // What an older version left, under the umask: tightened at start.
        Files.createDirectories(stateA.resolve("spool"));
        Files.writeString(stateA.resolve("routes.json"), "[]");
        Files.createDirectories(stateB.resolve("uploads"));
        assertThat(FileModes.notOwnerOnly(stateA)).isNotEmpty();

        // PACS B looks at router B's state folder while B delivers the object (streamed since issue 10: no incoming-*.dcm).
        List<String> inTransit = new CopyOnWriteArrayList<>(), wrongInTransit = new CopyOnWriteArrayList<>();
        FolderStorage storage = new FolderStorage(work.resolve("pacs"));
        DicomServer pacs = DicomServer.start(new ApplicationEntity("PACS_B").accept(ApplicationEntity.ANY, ApplicationEntity.ANY),
                "127.0.0.1", 0, 4, new DimseServices().onStore((as, rq, data) -> {
                    try (Stream<Path> s = Files.list(stateB)) {
                        s.map(p -> p.getFileName().toString()).filter(IncomingFiles::isTemporary).forEach(inTransit::add);
                    }
                    wrongInTransit.addAll(FileModes.notOwnerOnly(stateB));
                    return storage.store(as, rq, data);
                }));
        MemoryInboxes inboxes = new MemoryInboxes();
        RouterKeys ka = RouterKeys.generate(), kb = RouterKeys.generate();
        ka.save(stateA.resolve("keys"));
        kb.save(stateB.resolve("keys"));
        Map<String, PublicKeys> directory = Map.of("hospital-a", ka.publicKeys("hospital-a"), "hospital-b", kb.publicKeys("hospital-b"));
        CloudCourier ca = new CloudCourier("hospital-a", ka, directory::get, new FileSystemBlobStore(cloud),
                new BridgeNotifications(inboxes.transport("hospital-a")));
        CloudCourier cb = new CloudCourier("hospital-b", kb, directory::get, new FileSystemBlobStore(cloud),
                new BridgeNotifications(inboxes.transport("hospital-b")));
        RoutingTable routes = new RoutingTable();
        routes.replace(List.of(new RoutingTable.Route("PACS_B", "hospital-b", Set.of("echo", "store"))));
        Path sample = Samples.file("test_files/CT_small.dcm");
        StorageSource src = StorageSource.probe(sample);
        try (pacs;
             Router b = Router.start(new RouterConfig("hospital-b", stateB.toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                     List.of(new Device("PACS_B", "127.0.0.1", pacs.port(), List.of("echo", "store"), List.of(), true))), cb, new RoutingTable());
             Router a = Router.start(new RouterConfig("hospital-a", stateA.toString(), "ROUTER_A", "127.0.0.1", 0, null, null, "spool",
                     List.of(new Device("MODALITY", "127.0.0.1", 1, List.of(), List.of(), false))), ca, routes)) {
            routes.save(stateA.resolve("routes.json"));
            try (StoreScu scu = StoreScu.open("127.0.0.1", a.port(), "PACS_B", "MODALITY",
                    List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
                assertThat(scu.store(src).status()).as("C-STORE into router A's spool").isZero();
            }
            Path delivered = work.resolve("pacs").resolve(src.sopInstanceUid() + ".dcm");
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(delivered));
            assertThat(inTransit).as("router B streams the object into the PACS: no copy in its state folder").isEmpty();
            assertThat(wrongInTransit).as("modes under B's state folder during the delivery").isEmpty();
            for (Path state : List.of(stateA, stateB)) {
                assertThat(FileModes.notOwnerOnly(state)).as("modes under " + state).isEmpty();
            }
            assertThat(FileModes.count(stateA)).as("A's state: spool, its lock, keys, routes.json, upload journal").isGreaterThan(6);
        }
    }
}
