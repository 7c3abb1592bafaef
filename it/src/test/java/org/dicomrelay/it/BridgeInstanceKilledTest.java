package org.dicomrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.dicomrelay.dicom.io.SyntheticStudy;
import org.dicomrelay.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12: two Bridge instances on one PostgreSQL database serve the same routers, and a Bridge
 * instance killed mid-traffic loses nothing. Every piece is its own process; the routers name both
 * instances in {@code bridgeUrl} and keep their blobs in the Bridge's own store (one data folder
 * for both instances). A modality stores a study at router A for PACS B; when part of it is at the
 * PACS, the instance the routers call is killed (SIGKILL) and not restarted: every instance router
 * A acknowledged reaches the PACS byte for byte through the other.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class BridgeInstanceKilledTest {
    private static final int STUDY_SIZE = 200;
    private static final int TRIGGER = 40;

    private final ExecutorService sending = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "modality");
        t.setDaemon(true);
        return t;
    });
    private PostgresCluster pg;
    private FaultNetwork net;
    private FaultModality modality;

    @AfterEach void tearDown() throws Exception {
        sending.shutdownNow();
        sending.awaitTermination(30, TimeUnit.SECONDS);
        if (modality != null) modality.close();
        if (net != null) net.close();
        if (pg != null) pg.close();
    }

    @Test void aBridgeInstanceKilledMidStudyLosesNothingAndTheRoutersGoOnThroughTheOther() throws Exception {
        Assumptions.assumeTrue(PostgresCluster.available(), "PostgreSQL (Debian's postgresql) is not installed");
        pg = PostgresCluster.start("bridge");
        net = FaultNetwork.withTwoBridges(pg.jdbcUrl("bridge")).startRouters();
        SyntheticStudy s = SyntheticStudy.write(net.work.resolve("study"), STUDY_SIZE, 64, "FAILOVER^STUDY", "FAIL12");
        Map<String, Path> byUid = new LinkedHashMap<>();
        for (Path f : s.files()) byUid.put(DataSets.sopInstanceUid(f), f);
        FaultOutcome.Study study = new FaultOutcome.Study(s.studyUid(), byUid);
        modality = new FaultModality(net.portA, FaultPacs.AE);
        List<Path> files = List.copyOf(byUid.values());
        Future<?> send = sending.submit(() -> {
            modality.sendOnce(files);
            return null;
        });
        await(TRIGGER + " instances at the PACS").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                .until(() -> net.pacs.instances().size() >= TRIGGER);
        net.bridge.kill();
        int atKill = net.pacs.instances().size();
        long killedAt = System.nanoTime();
        send.get(5, TimeUnit.MINUTES);
        assertThat(atKill).as("instances at the PACS when the Bridge instance was killed (it must come mid-study)").isLessThan(STUDY_SIZE);

        FaultOutcome o = FaultOutcome.measure("kill -9 one of two Bridge instances", modality, net.pacs, study, killedAt,
                Duration.ofSeconds(120), atKill + " at the PACS when it was killed; not restarted").report();
        if (!o.lost().isEmpty()) {
            throw new AssertionError(o.lost().size() + " acknowledged but absent at the PACS (" + o.lostSample() + ")" + net.logs());
        }
        assertThat(o.acknowledged()).as("acknowledged by router A").isEqualTo(STUDY_SIZE);
        assertThat(o.notIdentical()).as("copies at the PACS whose data set differs from the source").isZero();
        assertThat(net.routerA.output()).as("router A moved to the other instance")
                .contains("does not answer: calling the one at " + net.bridgeUrl2);
    }
}
