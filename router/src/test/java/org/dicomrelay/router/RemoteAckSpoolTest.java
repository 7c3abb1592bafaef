package org.dicomrelay.router;

import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.LocalHub;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code storeAck: remote}: the modality waits for the remote PACS's status (PS3.4 B.2.3) and owns
 * the retry. While the object is forwarded its spool record says {@code remote-ack} (an operator
 * sees it), and such a record is never delivered from the spool.
 */
@Timeout(60)
class RemoteAckSpoolTest {

    @Test void whileTheModalityWaitsTheEntryIsListedAsRemoteAckAndGoesOnceAnswered(@TempDir Path work) throws Exception {
        CountDownLatch pacsHolds = new CountDownLatch(1);
        FolderStorage folder = new FolderStorage(work.resolve("pacs"));
        LocalHub hub = new LocalHub();
        try (DicomServer pacs = DicomServer.start(new ApplicationEntity("PACS_B").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onStore((as, rq, data) -> {
                    try {
                        pacsHolds.await(30, TimeUnit.SECONDS); // a slow PACS: the forward is in flight meanwhile
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return folder.store(as, rq, data);
                }));
             Router b = Router.start(new RouterConfig("hospital-b", work.resolve("b").toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                     List.of(new Device("PACS_B", "127.0.0.1", pacs.port(), List.of("store"), List.of(), true))), hub.courier("hospital-b"), new RoutingTable())) {
            RoutingTable routes = new RoutingTable();
            routes.replace(List.of(new RoutingTable.Route("PACS_B", "hospital-b", Set.of("store"))));
            Path stateA = work.resolve("a");
            RouterConfig configA = new RouterConfig("hospital-a", stateA.toString(), "ROUTER_A", "127.0.0.1", 0, null, null, "remote",
                    List.of(new Device("MODALITY", "127.0.0.1", 1, List.of(), List.of(), false)));
            try (Router a = Router.start(configA, hub.courier("hospital-a"), routes)) {
                StorageSource ct = StorageSource.probe(Samples.file("test_files/CT_small.dcm"));
                CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
                    try (StoreScu scu = StoreScu.open("127.0.0.1", a.port(), "PACS_B", "MODALITY",
                            List.of(new StoreScu.Need(ct.sopClassUid(), ct.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
                        return scu.store(ct).status();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                await().atMost(Duration.ofSeconds(20)).until(() -> !Spool.of(stateA).entries().isEmpty());
                assertThat(Spool.of(stateA).entries()).singleElement()
                        .satisfies(e -> assertThat(e.state()).isEqualTo(SpoolEntry.State.REMOTE_ACK))
                        .satisfies(e -> assertThat(e.sopInstanceUid()).isEqualTo(ct.sopInstanceUid()));
                assertThat(status).isNotDone();
                pacsHolds.countDown();
                assertThat(status.get(20, TimeUnit.SECONDS)).as("the remote status").isZero();
                assertThat(Spool.of(stateA).entries()).isEmpty();
            }
        } finally {
            pacsHolds.countDown();
        }
    }
}
