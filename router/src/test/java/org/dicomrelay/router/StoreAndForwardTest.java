package org.dicomrelay.router;

import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.dicom.io.SyntheticStudy;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RetryPolicy;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.LocalHub;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Store and forward against a PACS that refuses: router A acknowledges from its spool (PS3.4
 * B.2.3: 0000 once the object is kept), router B's PACS answers A900H (a permanent refusal), the
 * entry is dead-lettered with that status, and once the cause is fixed an operator's resubmit
 * (applied by the running router, no restart) delivers it; a discard is recorded; a spool that
 * cannot be written answers A700H (Refused: Out of resources) and leaves nothing behind; a PACS
 * that is down (router B answers A700H) gets every acknowledged object once it is back, also
 * after router A restarted meanwhile.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class StoreAndForwardTest {
    private Path work, pacsDir, stateA;
    private int flakyPort;
    private DicomServer pacs;
    private Router a, b;
    private LocalHub hub;
    private RouterConfig configA;
    private RoutingTable routes;
    private volatile boolean refuse;

    @BeforeAll void start() throws Exception {
        work = Files.createTempDirectory("store-and-forward");
        pacsDir = work.resolve("pacs");
        FolderStorage folder = new FolderStorage(pacsDir);
        pacs = DicomServer.start(new ApplicationEntity("PACS_B").accept(ApplicationEntity.ANY, ApplicationEntity.ANY), "127.0.0.1", 0, 4,
                new DimseServices().onStore((as, rq, data) -> {
                    if (!refuse) return folder.store(as, rq, data);
                    data.transferTo(OutputStream.nullOutputStream());
                    return 0xA900; // Error: Data Set does not match SOP Class
                }));
        hub = new LocalHub();
        b = Router.start(new RouterConfig("hospital-b", work.resolve("b").toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                List.of(new Device("PACS_B", "127.0.0.1", pacs.port(), List.of("store"), List.of(), true),
                        new Device("PACS_FLAKY", "127.0.0.1", flakyPort = Peers.freePort(), List.of("store"), List.of(), true))),
                hub.courier("hospital-b"), new RoutingTable());
        routes = new RoutingTable();
        routes.replace(List.of(new RoutingTable.Route("PACS_B", "hospital-b", Set.of("store")),
                new RoutingTable.Route("PACS_FLAKY", "hospital-b", Set.of("store"))));
        stateA = work.resolve("a");
        configA = new RouterConfig("hospital-a", stateA.toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null,
                List.of(new Device("MODALITY", "127.0.0.1", 1, List.of(), List.of(), false))).withRetry(new RetryPolicy(1, 2, 168));
        a = Router.start(configA, hub.courier("hospital-a"), routes);
    }

    @AfterAll void stop() throws Exception {
        a.close();
        b.close();
        pacs.close();
    }

    private int store(Path file) throws Exception {
        return store("PACS_B", List.of(file)).get(0);
    }

    /** C-STORE of each file on one association to router A; the statuses. */
    private List<Integer> store(String calledAe, List<Path> files) throws Exception {
        List<StorageSource> sources = new java.util.ArrayList<>();
        for (Path f : files) sources.add(StorageSource.probe(f));
        List<StoreScu.Need> needs = sources.stream().map(s -> new StoreScu.Need(s.sopClassUid(), s.transferSyntax().uid())).distinct().toList();
        List<Integer> statuses = new java.util.ArrayList<>();
        try (StoreScu scu = StoreScu.open("127.0.0.1", a.port(), calledAe, "MODALITY", needs, AssociationOptions.DEFAULT)) {
            for (StorageSource s : sources) statuses.add(scu.store(s).status());
        }
        return statuses;
    }

    @Test void aRouterRestartedWhileThePacsIsDownResumesEveryAcknowledgedObject() throws Exception {
        SyntheticStudy study = SyntheticStudy.write(work.resolve("restart-study"), 10, "RESTART^TEST", "R1");
        assertThat(store("PACS_FLAKY", study.files())).containsOnly(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> Spool.of(stateA).entries().stream()
                .anyMatch(e -> study.studyUid().equals(e.studyInstanceUid()) && e.attempts() > 0));
        a.close();
        a = Router.start(configA, hub.courier("hospital-a"), routes);
        assertThat(Spool.of(stateA).entries()).filteredOn(e -> study.studyUid().equals(e.studyInstanceUid())).hasSize(10)
                .allSatisfy(e -> assertThat(e.state()).isEqualTo(SpoolEntry.State.PENDING));
        Path flakyDir = work.resolve("restart-pacs");
        try (DicomServer flaky = DicomServer.start(new ApplicationEntity("PACS_FLAKY").accept(ApplicationEntity.ANY, ApplicationEntity.ANY),
                "127.0.0.1", flakyPort, 4, new DimseServices().onStore(new FolderStorage(flakyDir)))) {
            await("every acknowledged object at the PACS after the restart").atMost(Duration.ofSeconds(30))
                    .until(() -> Spool.of(stateA).entries().stream().noneMatch(e -> study.studyUid().equals(e.studyInstanceUid())));
            for (Path f : study.files()) {
                assertThat(flakyDir.resolve(StorageSource.probe(f).sopInstanceUid() + ".dcm")).exists();
            }
        }
    }

    @Test void aPacsDownForAWhileGetsEveryAcknowledgedObjectOnceItIsBack() throws Exception {
        SyntheticStudy study = SyntheticStudy.write(work.resolve("flaky-study"), 30, "FLAKY^TEST", "F1");
        // PACS_FLAKY is not running: router B cannot connect and answers A700H, a transient failure
        assertThat(store("PACS_FLAKY", study.files())).as("acknowledged once spooled").containsOnly(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> Spool.of(stateA).entries().stream()
                .anyMatch(e -> study.studyUid().equals(e.studyInstanceUid()) && e.attempts() > 0 && Integer.valueOf(0xA700).equals(e.lastStatus())));
        assertThat(Spool.of(stateA).entries()).filteredOn(e -> study.studyUid().equals(e.studyInstanceUid())).hasSize(30)
                .allSatisfy(e -> assertThat(e.state()).isEqualTo(SpoolEntry.State.PENDING));
        Path flakyDir = work.resolve("flaky-pacs");
        try (DicomServer flaky = DicomServer.start(new ApplicationEntity("PACS_FLAKY").accept(ApplicationEntity.ANY, ApplicationEntity.ANY),
                "127.0.0.1", flakyPort, 4, new DimseServices().onStore(new FolderStorage(flakyDir)))) {
            await("every acknowledged object at the PACS once it is back").atMost(Duration.ofSeconds(30))
                    .until(() -> Spool.of(stateA).entries().stream().noneMatch(e -> study.studyUid().equals(e.studyInstanceUid())));
            for (Path f : study.files()) {
                assertThat(flakyDir.resolve(StorageSource.probe(f).sopInstanceUid() + ".dcm")).exists();
            }
        }
    }

    private SpoolEntry deadLetterFor(String sopInstanceUid) throws Exception {
        return await("dead letter for " + sopInstanceUid).atMost(Duration.ofSeconds(30)).until(
                () -> Spool.of(stateA).entries().stream().filter(e -> e.sopInstanceUid().equals(sopInstanceUid) && e.deadLettered()).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
    }

    @Test void aPermanentRefusalIsDeadLetteredAndDeliveredAfterResubmitWithTheRouterRunning() throws Exception {
        Path ct = Samples.file("test_files/CT_small.dcm");
        StorageSource src = StorageSource.probe(ct);
        String study = DicomFile.read(ct).dataSet().getString(0x0020000D);
        refuse = true;
        assertThat(store(ct)).as("acknowledged once spooled").isZero();
        SpoolEntry dead = deadLetterFor(src.sopInstanceUid());
        assertThat(dead.lastStatus()).isEqualTo(0xA900);
        assertThat(dead.lastStatusMeaning()).isEqualTo("Error: Data Set does not match SOP Class");
        assertThat(dead.studyInstanceUid()).isEqualTo(study);
        assertThat(dead.attempts()).isEqualTo(1);

        refuse = false; // the PACS is fixed
        SpoolAnswer answer = SpoolControl.apply(stateA, new SpoolRequest(SpoolRequest.Action.RESUBMIT, SpoolRequest.Selector.study(study), "test"),
                Duration.ofSeconds(20));
        assertThat(answer.changed()).as(answer.message()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(pacsDir.resolve(src.sopInstanceUid() + ".dcm")));
        assertThat(CloudRelayTest.dataSet(pacsDir.resolve(src.sopInstanceUid() + ".dcm"))).isEqualTo(CloudRelayTest.dataSet(ct));
        await().atMost(Duration.ofSeconds(10)).until(() -> Spool.of(stateA).entries().stream().noneMatch(e -> e.id().equals(dead.id())));
    }

    @Test void aDiscardWithTheRouterRunningIsRecordedAndNothingIsDelivered() throws Exception {
        Path mr = Samples.file("test_files/MR_small.dcm");
        StorageSource src = StorageSource.probe(mr);
        refuse = true;
        assertThat(store(mr)).isZero();
        SpoolEntry dead = deadLetterFor(src.sopInstanceUid());
        refuse = false;
        SpoolAnswer answer = SpoolControl.apply(stateA, new SpoolRequest(SpoolRequest.Action.DISCARD, SpoolRequest.Selector.entry(dead.id()), "dr-ops"),
                Duration.ofSeconds(20));
        assertThat(answer.changed()).as(answer.message()).isEqualTo(1);
        assertThat(Spool.of(stateA).entries()).noneMatch(e -> e.id().equals(dead.id()));
        assertThat(Files.readString(stateA.resolve("spool/discarded.log"))).contains("id=" + dead.id()).contains("sopInstanceUid=" + src.sopInstanceUid())
                .contains("by=dr-ops");
        assertThat(stateA.resolve("spool/" + dead.id() + ".dcm")).doesNotExist();
        assertThat(pacsDir.resolve(src.sopInstanceUid() + ".dcm")).doesNotExist();
    }

    @Test void aSpoolThatCannotBeWrittenAnswersA700AndLeavesNothing() throws Exception {
        Path spool = stateA.resolve("spool"), away = stateA.resolve("spool-away");
        Files.move(spool, away);
        Files.write(spool, new byte[0]); // "spool" is now a file: every write in it fails, as on a full or broken disk
        try {
            assertThat(store(Samples.file("test_files/rtplan.dcm"))).isEqualTo(0xA700);
        } finally {
            Files.delete(spool);
            Files.move(away, spool);
        }
        try (Stream<Path> s = Files.list(spool)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part") || n.endsWith(".tmp"));
        }
        assertThat(store(Samples.file("test_files/rtplan.dcm"))).as("works again once the disk does").isZero();
    }
}
