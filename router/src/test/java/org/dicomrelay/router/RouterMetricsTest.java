package org.dicomrelay.router;

import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.LocalHub;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11, "/metrics ... associations, objects and bytes relayed per route, queue depth,
 * failures, latency histograms": router A's scrape moves with a storescu relayed to B's PACS
 * (PS3.4 Annex B storage) and a findscu (PS3.4 Annex C), and carries AE titles and router IDs only,
 * never a UID or a patient's name.
 */
@Timeout(120)
class RouterMetricsTest {
    @TempDir Path work;
    private Router a, b;
    private DicomServer pacs;

    @BeforeEach void start() throws Exception {
        LocalHub hub = new LocalHub();
        pacs = DicomServer.start(new ApplicationEntity("PACS_B").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onStore(new FolderStorage(Files.createDirectories(work.resolve("pacs")))));
        b = Router.start(new RouterConfig("hospital-b", work.resolve("b").toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                List.of(new Device("PACS_B", "127.0.0.1", pacs.port(), List.of("echo", "store", "find"), List.of(), true))),
                hub.courier("hospital-b"), new RoutingTable());
        RoutingTable routes = new RoutingTable();
        routes.replace(List.of(new RoutingTable.Route("PACS_B", "hospital-b", Set.of("echo", "store", "find"))));
        a = Router.start(new RouterConfig("hospital-a", work.resolve("a").toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null,
                List.of(new Device("WORKSTATION", "127.0.0.1", 1, List.of(), List.of(), false))), hub.courier("hospital-a"), routes);
    }

    @AfterEach void stop() throws Exception {
        if (a.metrics().live()) a.close();
        b.close();
        pacs.close();
    }

    @Test void aRelayedStoreAndAFindMoveTheCountersAndNoUidIsALabel() throws Exception {
        RouterMetrics m = a.metrics();
        assertThat(m.live()).isTrue();
        assertThat(m.ready()).isTrue();
        Path f = Samples.file("test_files/CT_small.dcm");
        Peers.Result store = Peers.run(List.of("storescu", "-aet", "WORKSTATION", "-aec", "PACS_B", "127.0.0.1", String.valueOf(a.port()), f.toString()),
                Duration.ofSeconds(60));
        assertThat(store.exitCode()).as(store.output()).isZero();
        String route = "destination=\"PACS_B\",destination_router=\"hospital-b\"";
        await("the delivery is counted").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> value(m.scrape(), "router_relayed_objects_total", route) == 1);
        String text = m.scrape();
        assertThat(value(text, "router_relayed_bytes_total", route)).isGreaterThan(1000);
        assertThat(value(text, "router_associations_total", "device=\"WORKSTATION\"")).isEqualTo(1);
        assertThat(value(text, "router_store_answer_seconds_count", route)).isEqualTo(1);
        assertThat(text).contains("router_store_answer_seconds_bucket{");
        assertThat(value(text, "router_queue_depth", route)).isZero();

        Peers.Result find = Peers.run(List.of("findscu", "-S", "-aet", "WORKSTATION", "-aec", "PACS_B", "-k", "QueryRetrieveLevel=STUDY",
                "-k", "PatientName=*", "127.0.0.1", String.valueOf(a.port())), Duration.ofSeconds(60));
        assertThat(find.output()).isNotNull();
        await("the C-FIND is timed").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> value(a.metrics().scrape(), "router_find_seconds_count", route) == 1);

        var ds = DicomFile.read(f).dataSet();
        String all = a.metrics().scrape() + b.metrics().scrape();
        assertThat(all).doesNotContain(ds.getString(0x00080018)).doesNotContain(ds.getString(0x0020000D))
                .doesNotContain(ds.getString(0x00100010));
        a.close();
        assertThat(m.live()).isFalse();
        assertThat(m.ready()).isFalse();
    }

    /** The value of the one sample of {@code name} whose labels contain {@code labels}. */
    static double value(String text, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{.*\\})? ([0-9.eE+-]+)$").matcher(text);
        while (m.find()) {
            if (m.group(1) != null && m.group(1).contains(labels)) return Double.parseDouble(m.group(2));
        }
        throw new AssertionError("no sample " + name + "{" + labels + "} in\n" + text);
    }
}
