package org.dicomrelay.router;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.net.Association;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.AssociationRejectedException;
import org.dicomrelay.dicom.net.AssociationRequest;
import org.dicomrelay.dicom.net.dimse.CommandCodec;
import org.dicomrelay.dicom.net.pdu.AAbort;
import org.dicomrelay.dicom.net.pdu.AAssociateAc;
import org.dicomrelay.dicom.net.pdu.AAssociateRj;
import org.dicomrelay.dicom.net.pdu.PDataTf;
import org.dicomrelay.dicom.net.pdu.Pdu;
import org.dicomrelay.dicom.net.pdu.PduReader;
import org.dicomrelay.dicom.net.pdu.PduWriter;
import org.dicomrelay.dicom.net.pdu.Pdv;
import org.dicomrelay.dicom.net.service.Verification;
import org.dicomrelay.router.config.Associations;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.LocalHub;
import org.dicomrelay.testkit.Peers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * router.yaml "associations" at the router's door: one device holds at most maxPerDevice
 * associations (the excess refused A-ASSOCIATE-RJ transient, service provider (presentation),
 * local limit exceeded, PS3.8 §9.3.4, and logged summarised) while other devices are served; idle
 * associations are aborted after the idle timeout and their places come back; a C-STORE stalled
 * mid-data-set is aborted after the read timeout and leaves nothing in the router's state folder.
 */
@Timeout(120)
class AssociationLimitsTest {
    static final int MAX_PER_DEVICE = 4;
    /** Long enough for 66 association attempts on a loaded machine, short for a test. */
    static final int IDLE_SECONDS = 5;
    static final int READ_SECONDS = 1;
    static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    static final String IMPLICIT_LE = "1.2.840.10008.1.2";

    @TempDir Path work;
    private Router router;
    private final Queue<String> warnings = new ConcurrentLinkedQueue<>();
    private final Logger scpLog = Logger.getLogger(RelayScp.class.getName());
    private final Handler capture = new Handler() {
        @Override public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) warnings.add(r.getMessage());
        }

        @Override public void flush() {}

        @Override public void close() {}
    };

    @BeforeEach void start() throws IOException {
        scpLog.addHandler(capture);
        RoutingTable routes = new RoutingTable();
        routes.replace(List.of(new RoutingTable.Route("REMOTE_PACS", "hospital-b", Set.of("store"))));
        RouterConfig config = new RouterConfig("hospital-a", work.resolve("state").toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null,
                List.of(new Device("MODALITY", "127.0.0.1", 1, List.of(), List.of(), false),
                        new Device("OTHER", "127.0.0.1", 1, List.of(), List.of(), false)))
                .withAssociations(new Associations(IDLE_SECONDS, READ_SECONDS, MAX_PER_DEVICE));
        router = Router.start(config, new LocalHub().courier("hospital-a"), routes);
    }

    @AfterEach void stop() throws IOException {
        scpLog.removeHandler(capture);
        router.close();
    }

    @Test void oneDeviceHoldsAtMostItsLimit_othersAreServed_idleAssociationsAreFreed() throws Exception {
        List<Association> held = new ArrayList<>();
        List<AAssociateRj> rejects = new ArrayList<>();
        try {
            for (int i = 0; i < 66; i++) {
                try {
                    held.add(echoAssociation("MODALITY"));
                } catch (AssociationRejectedException e) {
                    rejects.add(e.reject());
                }
            }
            assertThat(held).as("associations accepted for MODALITY").hasSize(MAX_PER_DEVICE);
            assertThat(held).as("still open: the idle timeout has not run out during the attempts").noneMatch(Association::isEnded);
            assertThat(rejects).hasSize(66 - MAX_PER_DEVICE).containsOnly(new AAssociateRj(AAssociateRj.RESULT_TRANSIENT,
                    AAssociateRj.SOURCE_PROVIDER_PRESENTATION, AAssociateRj.LOCAL_LIMIT_EXCEEDED));
            assertThat(warnings.stream().filter(w -> w.contains("maxPerDevice")))
                    .as("refusals logged summarised, not once per attempt: %s", warnings).hasSize(1)
                    .allMatch(w -> w.contains("MODALITY at 127.0.0.1"));

            // Meanwhile another device is served: C-ECHO to the router's own AE title.
            assertThat(Verification.echo("127.0.0.1", router.port(), "ROUTER_A", "OTHER", AssociationOptions.DEFAULT)).isZero();
            // DCMTK's echoscu reads the refusal as PS3.8 names it.
            Peers.Result r = Peers.run(List.of("echoscu", "-aet", "MODALITY", "-aec", "ROUTER_A", "127.0.0.1", String.valueOf(router.port())),
                    Duration.ofSeconds(30));
            assertThat(r.exitCode()).as(r.output()).isNotZero();
            assertThat(r.output()).containsIgnoringCase("Rejected Transient").containsIgnoringCase("Local Limit Exceeded");

            // The idle timeout frees the device's places: the router aborts the four (A-ABORT, service user).
            for (Association as : held) {
                assertThat(as.awaitEnd(IDLE_SECONDS + 10, TimeUnit.SECONDS)).as("aborted after the idle timeout").isTrue();
                assertThat(as.failure()).hasMessageContaining("aborted by peer");
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Association again = echoAssociation("MODALITY");
                again.release();
            });
        } finally {
            held.forEach(Association::abort);
        }
    }

    @Test void aStoreStalledMidDataSetIsAbortedAfterTheReadTimeout_andLeavesNoFile() throws Exception {
        Path state = router.config().state();
        List<Path> before = filesUnder(state);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), router.port()), 5000);
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(IDLE_SECONDS + 10));
            PduWriter out = new PduWriter(s.getOutputStream());
            PduReader in = new PduReader(new BufferedInputStream(s.getInputStream()), 0);
            AssociationRequest rq = new AssociationRequest("REMOTE_PACS", "MODALITY");
            int pc = rq.propose(CT, IMPLICIT_LE);
            out.write(rq.build(AssociationOptions.DEFAULT));
            assertThat(in.read()).isInstanceOf(AAssociateAc.class);
            // The command, then the first part of the data set; the rest never comes.
            out.write(new PDataTf(List.of(new Pdv(pc, true, true, CommandCodec.encode(storeRq())))));
            out.write(new PDataTf(List.of(new Pdv(pc, false, false, new byte[8192]))));
            await().atMost(Duration.ofSeconds(10)).until(() -> filesUnder(state).stream().anyMatch(p -> p.toString().endsWith(".part")));
            long t0 = System.nanoTime();
            Pdu answer = in.read();
            assertThat(answer).as("the router's answer to the stall").isEqualTo(AAbort.byUser());
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("aborted on the read timeout, before the idle timeout")
                    .isLessThan(Duration.ofSeconds(IDLE_SECONDS));
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(filesUnder(state)).as("files in the router's state folder").containsExactlyInAnyOrderElementsOf(before));
    }

    @Test void associationsTheRouterRefusesDoNotCountAgainstTheLimit() throws Exception {
        for (int i = 0; i < 2 * MAX_PER_DEVICE; i++) {
            AssociationRequest rq = new AssociationRequest("NO_SUCH_AE", "MODALITY");
            rq.propose(Verification.SOP_CLASS, IMPLICIT_LE);
            AssociationRejectedException e = catchThrowableOfType(() -> Association.connect("127.0.0.1", router.port(),
                    rq.build(AssociationOptions.DEFAULT), AssociationOptions.DEFAULT, null), AssociationRejectedException.class);
            assertThat(e.reject()).isEqualTo(new AAssociateRj(AAssociateRj.RESULT_PERMANENT, AAssociateRj.SOURCE_SERVICE_USER,
                    AAssociateRj.CALLED_AE_TITLE_NOT_RECOGNIZED));
        }
        List<Association> held = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_PER_DEVICE; i++) held.add(echoAssociation("MODALITY"));
        } finally {
            for (Association as : held) as.release();
        }
        assertThat(held).hasSize(MAX_PER_DEVICE);
    }

    private Association echoAssociation(String callingAe) throws IOException {
        AssociationRequest rq = new AssociationRequest("ROUTER_A", callingAe);
        rq.propose(Verification.SOP_CLASS, IMPLICIT_LE);
        return Association.connect("127.0.0.1", router.port(), rq.build(AssociationOptions.DEFAULT), AssociationOptions.DEFAULT, null);
    }

    private static Attributes storeRq() {
        Attributes c = new Attributes();
        c.setString(0x00000002, VR.UI, CT);
        c.setInt(0x00000100, VR.US, 0x0001);
        c.setInt(0x00000110, VR.US, 1);
        c.setInt(0x00000700, VR.US, 0);
        c.setInt(0x00000800, VR.US, 0x0000);
        c.setString(0x00001000, VR.UI, "1.2.826.0.1.3680043.10.1234.99");
        return c;
    }

    private static List<Path> filesUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
