package org.dicomrelay.router;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.Association;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.DimseResponse;
import org.dicomrelay.dicom.net.PendingRequest;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.QueryRetrieveModel;
import org.dicomrelay.router.config.Device;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The router's kept C-FIND associations to local devices (a forking PACS costs a process per association). */
@Timeout(60)
class QueryAssociationsTest {
    private final List<AutoCloseable> open = new ArrayList<>();
    private final AtomicInteger associations = new AtomicInteger();

    @AfterEach void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    /** A PACS answering every C-FIND with one match, counting the associations it accepts. */
    private Device pacs(AssociationOptions options) throws IOException {
        ApplicationEntity ae = new ApplicationEntity("PACS").accept(ApplicationEntity.ANY, ApplicationEntity.ANY).options(options);
        Association.Negotiator counting = (rq, socket) -> {
            associations.incrementAndGet();
            return ae.negotiate(rq, socket);
        };
        Attributes match = new Attributes();
        match.setString(0x00100020, VR.LO, "P1");
        DicomServer server = DicomServer.start("PACS", counting, options, "127.0.0.1", 0, 8,
                new DimseServices().onFind((as, rq, rsp) -> rsp.match(match)));
        open.add(server);
        return new Device("PACS", "127.0.0.1", server.port(), List.of("find"), List.of(), true);
    }

    private QueryAssociations queries(Duration idle) {
        QueryAssociations q = new QueryAssociations("ROUTER_B", DeviceOptions.plain(Router.scuOptions()), idle);
        open.add(q);
        return q;
    }

    /** One STUDY-level C-FIND; returns the statuses of its responses (PS3.4 C.4.1.1.4: pending FF00 per match, then 0000). */
    private static List<Integer> find(QueryAssociations queries, Device d) throws IOException {
        List<Integer> statuses = new ArrayList<>();
        queries.query(d, QueryRetrieveModel.STUDY_ROOT, scu -> {
            Attributes keys = new Attributes();
            keys.setString(0x00080052, VR.CS, "STUDY");
            keys.setString(0x00100020, VR.LO, "");
            PendingRequest p = scu.find(keys);
            DimseResponse r;
            while ((r = p.next()) != null) statuses.add(r.status());
        }, () -> statuses.isEmpty());
        return statuses;
    }

    @Test void consecutiveQueriesShareOneAssociation() throws Exception {
        Device d = pacs(AssociationOptions.DEFAULT);
        QueryAssociations queries = queries(Duration.ofMinutes(1));
        for (int i = 0; i < 5; i++) assertThat(find(queries, d)).containsExactly(0xFF00, 0x0000);
        assertThat(associations).hasValue(1);
        assertThat(queries.kept()).isEqualTo(1);
    }

    @Test void anIdleAssociationIsReleased() throws Exception {
        Device d = pacs(AssociationOptions.DEFAULT);
        QueryAssociations queries = queries(Duration.ofMillis(200));
        assertThat(find(queries, d)).containsExactly(0xFF00, 0x0000);
        await().atMost(Duration.ofSeconds(10)).until(() -> queries.kept() == 0);
        assertThat(find(queries, d)).containsExactly(0xFF00, 0x0000);
        assertThat(associations).hasValue(2);
    }

    @Test void anAssociationTheDeviceEndedIsReplaced() throws Exception {
        // The PACS aborts associations idle for 100 ms; we would keep ours for a minute.
        Device d = pacs(AssociationOptions.DEFAULT.withIdleTimeout(Duration.ofMillis(100)));
        QueryAssociations queries = queries(Duration.ofMinutes(1));
        assertThat(find(queries, d)).containsExactly(0xFF00, 0x0000);
        await().atMost(Duration.ofSeconds(10)).until(() -> queries.kept() == 0);
        assertThat(find(queries, d)).containsExactly(0xFF00, 0x0000);
        assertThat(associations).hasValue(2);
    }

    @Test void concurrentQueriesEachHaveAnAssociationAndAtMostTwoAreKept() throws Exception {
        Device d = pacs(AssociationOptions.DEFAULT);
        QueryAssociations queries = queries(Duration.ofMinutes(1));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Integer>>> runs = new ArrayList<>();
            for (int i = 0; i < 12; i++) runs.add(pool.submit(() -> find(queries, d)));
            for (Future<List<Integer>> f : runs) assertThat(f.get()).containsExactly(0xFF00, 0x0000);
        } finally {
            pool.shutdownNow();
        }
        assertThat(queries.kept()).isBetween(1, QueryAssociations.MAX_IDLE_PER_DEVICE);
    }

    @Test void aQueryThatFailsIsNotKeptAndItsErrorReachesTheCaller() throws Exception {
        Device d = pacs(AssociationOptions.DEFAULT);
        QueryAssociations queries = queries(Duration.ofMinutes(1));
        assertThatThrownBy(() -> queries.query(d, QueryRetrieveModel.STUDY_ROOT, scu -> {
            throw new IOException("the identifier could not be read");
        }, () -> false)).hasMessageContaining("identifier could not be read");
        assertThat(queries.kept()).isZero();
    }

    @Test void aDeviceThatIsDownIsAClearError() throws Exception {
        Device d = pacs(AssociationOptions.DEFAULT);
        open.remove(open.size() - 1).close();
        QueryAssociations queries = queries(Duration.ofMinutes(1));
        assertThatThrownBy(() -> find(queries, d)).isInstanceOf(IOException.class);
        assertThat(queries.kept()).isZero();
    }
}
