package org.dicomrelay.router;

import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.relay.bridge.BridgeException;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RetryPolicy;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.Courier;
import org.dicomrelay.router.link.LinkMessage;
import org.dicomrelay.router.link.LocalHub;
import org.dicomrelay.router.link.UploadJournal;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 9, per-sender inbox quota: the Bridge's 429 ("router hospital-a has N unacknowledged
 * notifications in the inbox of router hospital-b") is transient for the sender: the object
 * stays pending in its spool, is never dead-lettered, and arrives once the inbox has room.
 */
@Timeout(60)
class InboxQuotaTest {
    @TempDir Path work;

    @Test void a429FromTheBridgeIsRetriedFromTheSpoolUntilDelivered() throws Exception {
        LocalHub hub = new LocalHub();
        Path pacsDir = work.resolve("pacs");
        AtomicInteger refused = new AtomicInteger();
        Courier real = hub.courier("hospital-a");
        Courier quota = new Courier() {
            @Override public void send(String to, LinkMessage message, PayloadWriter payload) throws IOException {
                if (message instanceof LinkMessage.StoreRq && refused.getAndIncrement() < 2) {
                    throw new BridgeException(429, "Bridge: router hospital-a has 2500 unacknowledged notifications in the inbox of router "
                            + "hospital-b: try again later (HTTP 429)");
                }
                real.send(to, message, payload);
            }

            @Override public void start(Listener listener) {
                real.start(listener);
            }

            @Override public void recordUploadsIn(UploadJournal journal) {
                real.recordUploadsIn(journal);
            }

            @Override public void abandon(String to, String operationId) {
                real.abandon(to, operationId);
            }

            @Override public void close() throws IOException {
                real.close();
            }
        };
        try (DicomServer pacs = DicomServer.start(new ApplicationEntity("PACS_B").accept(ApplicationEntity.ANY, ApplicationEntity.ANY),
                "127.0.0.1", 0, 4, new DimseServices().onStore(new FolderStorage(pacsDir)));
             Router b = Router.start(new RouterConfig("hospital-b", work.resolve("b").toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                     List.of(new Device("PACS_B", "127.0.0.1", pacs.port(), List.of("store"), List.of(), true))), hub.courier("hospital-b"),
                     new RoutingTable())) {
            RoutingTable routes = new RoutingTable();
            routes.replace(List.of(new RoutingTable.Route("PACS_B", "hospital-b", Set.of("store"))));
            Path stateA = work.resolve("a");
            RouterConfig configA = new RouterConfig("hospital-a", stateA.toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null,
                    List.of(new Device("MODALITY", "127.0.0.1", 1, List.of(), List.of(), false))).withRetry(new RetryPolicy(1, 2, 168));
            try (Router a = Router.start(configA, quota, routes)) {
                StorageSource src = StorageSource.probe(Samples.file("test_files/CT_small.dcm"));
                try (StoreScu scu = StoreScu.open("127.0.0.1", a.port(), "PACS_B", "MODALITY",
                        List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
                    assertThat(scu.store(src).status()).isZero();
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> Spool.of(stateA).entries().isEmpty());
                assertThat(refused.get()).as("two attempts refused with 429, then delivered").isEqualTo(3);
                assertThat(pacsDir.resolve(src.sopInstanceUid() + ".dcm")).exists();
            }
        }
    }
}
