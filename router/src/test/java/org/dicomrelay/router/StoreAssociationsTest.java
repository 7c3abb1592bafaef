package org.dicomrelay.router;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.dicom.io.FileMetaInformation;
import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.Association;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StreamSource;
import org.dicomrelay.router.config.Device;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The router's kept C-STORE associations to local devices. */
@Timeout(60)
class StoreAssociationsTest {
    private static final String CT = "1.2.840.10008.5.1.4.1.1.2", MR = "1.2.840.10008.5.1.4.1.1.4";

    @TempDir Path work;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final AtomicInteger associations = new AtomicInteger();
    private final AtomicInteger busy = new AtomicInteger(), mostBusy = new AtomicInteger();
    private DicomServer server;

    @AfterEach void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    /** A PACS that counts the associations it accepts and how many stores ever ran at once. */
    private Device pacs(AssociationOptions options) throws Exception {
        Path folder = Files.createDirectories(work.resolve("pacs"));
        ApplicationEntity ae = new ApplicationEntity("PACS").accept(ApplicationEntity.ANY, ApplicationEntity.ANY).options(options);
        Association.Negotiator counting = (rq, socket) -> {
            associations.incrementAndGet();
            return ae.negotiate(rq, socket);
        };
        FolderStorage storage = new FolderStorage(folder);
        server = DicomServer.start("PACS", counting, options, "127.0.0.1", 0, 8, new DimseServices().onStore((as, rq, data) -> {
            mostBusy.accumulateAndGet(busy.incrementAndGet(), Math::max);
            try {
                return storage.store(as, rq, data);
            } finally {
                busy.decrementAndGet();
            }
        }));
        open.add(server);
        return new Device("PACS", "127.0.0.1", server.port(), List.of("store"), List.of(), true);
    }

    private StoreAssociations stores(Duration idle) {
        StoreAssociations s = new StoreAssociations("ROUTER_B", Router.scuOptions(), idle);
        open.add(s);
        return s;
    }

    private StorageSource object(String sopClass, int n) throws Exception {
        Attributes ds = new Attributes();
        ds.setString(Tag.SOPClassUID, VR.UI, sopClass);
        ds.setString(Tag.SOPInstanceUID, VR.UI, "2.25.4242." + n);
        ds.setString(Tag.PatientID, VR.LO, "STORE-ASSOC");
        ds.setString(Tag.StudyInstanceUID, VR.UI, "2.25.4242");
        ds.setString(Tag.SeriesInstanceUID, VR.UI, "2.25.4242.0");
        ds.setBytes(Tag.PixelData, VR.OW, new byte[64]);
        Path f = work.resolve("object-" + n + ".dcm");
        DicomFile.write(f, FileMetaInformation.of(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid()), ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
        return StorageSource.probe(f);
    }

    private long stored() throws Exception {
        try (Stream<Path> s = Files.list(work.resolve("pacs"))) {
            return s.count();
        }
    }

    @Test void consecutiveObjectsShareOneAssociation() throws Exception {
        Device d = pacs(AssociationOptions.DEFAULT);
        StoreAssociations stores = stores(Duration.ofMinutes(1));
        for (int i = 0; i < 5; i++) assertThat(stores.store(d, object(CT, i)).status()).isZero();
        assertThat(stored()).isEqualTo(5);
        assertThat(associations).hasValue(1);
    }

    @Test void anIdleAssociationIsReleased() throws Exception {
        Device d = pacs(AssociationOptions.DEFAULT);
        StoreAssociations stores = stores(Duration.ofMillis(200));
        assertThat(stores.store(d, object(CT, 1)).status()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> stores.open() == 0);
        assertThat(stores.store(d, object(CT, 2)).status()).isZero();
        assertThat(associations).hasValue(2);
        assertThat(stored()).isEqualTo(2);
    }

    @Test void anAssociationTheDeviceEndedIsReplaced() throws Exception {
        // The PACS aborts associations idle for 100 ms; we would keep ours for a minute.
        Device d = pacs(AssociationOptions.DEFAULT.withIdleTimeout(Duration.ofMillis(100)));
        StoreAssociations stores = stores(Duration.ofMinutes(1));
        assertThat(stores.store(d, object(CT, 1)).status()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> stores.open() == 0);
        assertThat(stores.store(d, object(CT, 2)).status()).isZero();
        assertThat(associations).hasValue(2);
        assertThat(stored()).isEqualTo(2);
    }

    @Test void anotherSopClassIsProposedAlongsideTheEarlierOnes() throws Exception {
        Device d = pacs(AssociationOptions.DEFAULT);
        StoreAssociations stores = stores(Duration.ofMinutes(1));
        assertThat(stores.store(d, object(CT, 1)).status()).isZero();
        assertThat(stores.store(d, object(MR, 2)).status()).isZero(); // a new association, proposing CT and MR
        assertThat(stores.store(d, object(CT, 3)).status()).isZero();
        assertThat(stores.store(d, object(MR, 4)).status()).isZero();
        assertThat(associations).hasValue(2);
        assertThat(stored()).isEqualTo(4);
    }

    @Test void closingReleasesTheAssociationAndRefusesMore() throws Exception {
        Device d = pacs(AssociationOptions.DEFAULT);
        StoreAssociations stores = stores(Duration.ofMinutes(1));
        assertThat(stores.store(d, object(CT, 1)).status()).isZero();
        assertThat(server.activeAssociations()).isEqualTo(1);
        stores.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.activeAssociations() == 0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> stores.store(d, object(CT, 2))).isInstanceOf(java.io.IOException.class);
    }

    @Test void objectsForOneDeviceGoOneAfterAnother() throws Exception {
        // Concurrent deliveries must not open a second association that a single-association PACS would leave waiting.
        Device d = pacs(AssociationOptions.DEFAULT);
        StoreAssociations stores = stores(Duration.ofMinutes(1));
        List<StorageSource> objects = new ArrayList<>();
        for (int i = 0; i < 24; i++) objects.add(object(CT, i));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (StorageSource o : objects) results.add(pool.submit(() -> stores.store(d, o).status()));
            for (Future<Integer> r : results) assertThat(r.get()).isZero();
        } finally {
            pool.shutdownNow();
        }
        assertThat(stored()).isEqualTo(24);
        assertThat(associations).hasValue(1);
        assertThat(mostBusy).hasValue(1);
    }

    /**
     * Issue 10: an object streamed to the device whose stream fails midway (router B: its payload
     * failed authentication) ends its association with A-ABORT; the association leaves the pool,
     * the object is not sent again (its bytes are gone), the device keeps nothing of it, another
     * device's association is untouched, and the next object goes on a new association.
     */
    @Test void aStreamFailingMidwayAbortsItsAssociationWhichLeavesThePoolAndOthersAreUnaffected() throws Exception {
        Device d = pacs(AssociationOptions.DEFAULT);
        DicomServer other = DicomServer.start(new ApplicationEntity("OTHER").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onStore(new FolderStorage(work.resolve("other"))));
        open.add(other);
        Device o = new Device("OTHER", "127.0.0.1", other.port(), List.of("store"), List.of(), true);
        StoreAssociations stores = stores(Duration.ofMinutes(1));
        assertThat(stores.store(d, object(CT, 1)).status()).isZero();
        assertThat(stores.store(o, object(CT, 2)).status()).isZero();
        assertThat(stores.open()).isEqualTo(2);

        StorageSource genuine = object(CT, 3);
        java.io.IOException forged = new java.io.IOException("segment 2 failed authentication");
        java.io.InputStream failing = new java.io.FilterInputStream(genuine.openDataSet()) {
            int n;

            @Override public int read(byte[] b, int off, int len) throws java.io.IOException {
                if (n >= 40) throw forged;
                int k = super.read(b, off, Math.min(len, 40 - n));
                if (k > 0) n += k;
                return k;
            }
        };
        StreamSource src = new StreamSource(failing, genuine.sopClassUid(), genuine.sopInstanceUid(), genuine.transferSyntax());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> stores.store(d, src)).hasMessageContaining("association aborted");
        assertThat(src.failure()).isSameAs(forged);
        assertThat(stores.open()).as("associations kept: the other device's only").isEqualTo(1);
        await("the device's handler ends").atMost(Duration.ofSeconds(10)).until(() -> server.activeAssociations() == 0 && busy.get() == 0);
        assertThat(stored()).as("files at the device: the first object only, nothing of the aborted one").isEqualTo(1);
        assertThat(associations).as("not sent again on a new association").hasValue(1);
        assertThat(other.activeAssociations()).isEqualTo(1);

        assertThat(stores.store(d, genuine).status()).isZero();
        assertThat(associations).hasValue(2);
        assertThat(stored()).isEqualTo(2);
        StorageSource s4 = object(CT, 4);
        try (java.io.InputStream in = s4.openDataSet()) {
            assertThat(stores.store(d, new StreamSource(in, s4.sopClassUid(), s4.sopInstanceUid(), s4.transferSyntax())).status())
                    .as("a stream that ends normally, on the kept association").isZero();
        }
        assertThat(associations).hasValue(2);
        assertThat(stored()).isEqualTo(3);
    }
}
