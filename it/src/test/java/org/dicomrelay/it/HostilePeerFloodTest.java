package org.dicomrelay.it;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomOutputStream;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DimseResponse;
import org.dicomrelay.dicom.net.PendingRequest;
import org.dicomrelay.dicom.net.service.QueryRetrieveModel;
import org.dicomrelay.dicom.net.service.QueryRetrieveScu;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.router.config.Limits;
import org.dicomrelay.router.link.CloudCourier;
import org.dicomrelay.router.link.LinkMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 9, "a hostile peer exhausts resources: one thread per frame, unbounded (300 frames → 300
 * threads and 300 connections to a local device)", inverted against real routers and a real
 * Bridge: hospital-x, enrolled and granted find and store on FLOOD_PACS, puts 300 requests into
 * router B's inbox through the real cloud path (sealed with its own keys: each passes
 * authentication, the replay guard and the access matrix). FLOOD_PACS ({@link HoldingScp}, our
 * toolkit's SCP) holds each request until the test releases it. With
 * {@code limits.operationsPerPeer: 4}, router B takes all 300 frames from its inbox but runs 4
 * at once, on 4 threads; the other 296 wait in hospital-x's queue (1000 deep: none is answered
 * A700). Meanwhile hospital-a's C-FIND to QUIET_PACS (the same SCP, not held) is answered. After
 * the release each of the 300 runs exactly once at the PACS and is answered exactly once.
 */
@Timeout(240)
class HostilePeerFloodTest {
    private static final int FRAMES = 300;
    private static final int OPERATIONS_PER_PEER = 4;
    private static final String FLOOD_AE = "FLOOD_PACS";
    private static final String QUIET_AE = "QUIET_PACS";
    private static final String FLOODER = "hospital-x";
    private static final String EXECUTOR_CLASS = "org.dicomrelay.router.RemoteExecutor";
    private static final String COURIER_LOG = "org.dicomrelay.router.link.CloudCourier";
    /**
     * Threads the whole JVM may gain during the flood (routers, Bridge, PACS and the flooder together, each courier with its
     * 4 acknowledgement threads): far below one per frame.
     */
    private static final int THREAD_GROWTH_BOUND = 80;

    private RelayNetwork net;
    private HoldingScp pacs;
    /** Router B's threads running a request (their stack is in the RemoteExecutor), sampled as each held request arrives. */
    private final AtomicInteger peakExecutorThreads = new AtomicInteger();
    private final AtomicInteger peakJvmThreads = new AtomicInteger();
    /** Router B's answers to hospital-x, per operation, in arrival order. */
    private final Map<String, List<Integer>> statuses = new ConcurrentHashMap<>();
    /** The key the PACS counts each of hospital-x's operations by (Patient ID or SOP Instance UID). */
    private final Map<String, String> keyOf = new ConcurrentHashMap<>();
    private int threadsBefore;

    @AfterEach void stop() {
        if (pacs != null) pacs.release();
        if (net != null) net.close();
        if (pacs != null) pacs.close();
    }

    /**
     * C-FIND opens an association per query: 300 queued queries would be 300 associations to the
     * PACS; the limit makes them 4 (PS3.4 C.4.1: each answered with its pending match, then 0000).
     */
    @Test void threeHundredQueriesFromOnePeerTakeOperationsPerPeerThreadsAndAssociationsNotOneEach() throws Exception {
        start();
        List<String> matches = new CopyOnWriteArrayList<>();
        try (CloudCourier courier = flooder(matches)) {
            for (int i = 0; i < FRAMES; i++) {
                String patientId = String.format("FLOOD-%03d", i);
                String operationId = UUID.randomUUID().toString();
                keyOf.put(operationId, patientId);
                courier.send("hospital-b", new LinkMessage.FindRq(operationId, FLOOD_AE, "HOSPITAL_X_WS", HoldingScp.STUDY_ROOT_FIND,
                        "{\"00080052\":{\"vr\":\"CS\",\"Value\":[\"STUDY\"]},\"00100020\":{\"vr\":\"LO\",\"Value\":[\"" + patientId + "\"]}}"),
                        null);
            }
            awaitAllFramesInRouterB(OPERATIONS_PER_PEER);
            assertThat(pacs.held()).as("hospital-x's queries held at the PACS").isEqualTo(OPERATIONS_PER_PEER);
            assertThat(pacs.open(FLOOD_AE)).as("associations open at the PACS for hospital-x's frames").isEqualTo(OPERATIONS_PER_PEER);
            assertBoundedWhileHeldAndOthersServed();
            pacs.release();
            awaitAllAnswered();
        }
        assertThat(pacs.peak(FLOOD_AE)).as("peak of concurrent associations to the PACS for hospital-x's frames")
                .isEqualTo(OPERATIONS_PER_PEER);
        assertEachRanAndWasAnsweredOnce(List.of(0xFF00, 0x0000));
        assertThat(matches).as("matches hospital-x received").hasSize(FRAMES).doesNotHaveDuplicates();
    }

    /**
     * C-STORE goes through router B's one kept association per device, one object at a time; the
     * limit bounds the threads waiting for it (and the payloads open, streaming into the PACS, never copied) to 4, not 300.
     */
    @Test void threeHundredStoresFromOnePeerTakeOperationsPerPeerThreadsAndPayloadsNotOneEach() throws Exception {
        start();
        try (CloudCourier courier = flooder(new CopyOnWriteArrayList<>())) {
            for (int i = 0; i < FRAMES; i++) {
                String uid = "2.25." + new BigInteger(UUID.randomUUID().toString().replace("-", ""), 16);
                String operationId = UUID.randomUUID().toString();
                keyOf.put(operationId, uid);
                byte[] dataSet = secondaryCapture(uid, String.format("FLOOD-%03d", i));
                courier.send("hospital-b", new LinkMessage.StoreRq(operationId, FLOOD_AE, "HOSPITAL_X_WS", HoldingScp.SECONDARY_CAPTURE, uid,
                        TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid()), out -> out.write(dataSet));
            }
            awaitAllFramesInRouterB(1);
            assertThat(pacs.held()).as("hospital-x's objects held at the PACS: router B stores one at a time per device").isEqualTo(1);
            assertThat(pacs.open(FLOOD_AE)).as("associations open at the PACS for hospital-x's frames").isEqualTo(1);
            assertThat(incomingFilesOfB()).as("payloads router B copied out of the cloud (STATE/incoming-*): none, they stream into the PACS")
                    .isZero();
            assertBoundedWhileHeldAndOthersServed();
            pacs.release();
            awaitAllAnswered();
        }
        assertThat(pacs.peak(FLOOD_AE)).as("peak of concurrent associations to the PACS for hospital-x's frames")
                .isBetween(1, OPERATIONS_PER_PEER);
        assertEachRanAndWasAnsweredOnce(List.of(0x0000));
    }

    private void start() throws Exception {
        pacs = new HoldingScp(FLOOD_AE, this::sample);
        net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP)
                .deviceBAt(FLOOD_AE, pacs.port(), List.of("find", "store"))
                .deviceBAt(QUIET_AE, pacs.port(), List.of("find"))
                .extraRouter(FLOODER)
                .grant(FLOODER, FLOOD_AE, "find", "store")
                .grant("hospital-a", QUIET_AE, "find")
                .limitsB(new Limits(OPERATIONS_PER_PEER, null))
                .recordCloud()
                .start();
        threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /** hospital-x's courier, with its keys and Bridge account, collecting router B's answers (and C-FIND matches' operations). */
    private CloudCourier flooder(List<String> matches) throws IOException {
        RelayNetwork.EnrolledRouter x = net.extraRouters.get(FLOODER);
        BridgeClient client = RelayNetwork.client(x.credentials());
        CloudCourier courier = net.courier(FLOODER, x.keys(), net.directoryKeys(client), client);
        courier.start((from, message, payload) -> {
            LinkMessage.Answer rsp = (LinkMessage.Answer) message;
            List<Integer> got = statuses.computeIfAbsent(rsp.operationId(), k -> new CopyOnWriteArrayList<>());
            got.add(rsp.status());
            // The last match carries the query's final status (one frame for both): counted as the final answer it is.
            if (rsp instanceof LinkMessage.FindRsp f && f.finalStatus() != null) got.add(f.finalStatus());
            if (rsp instanceof LinkMessage.FindRsp f && f.identifier() != null) matches.add(f.operationId());
        });
        return courier;
    }

    /**
     * Router B has taken all 300 frames from its inbox (it acknowledges each once admitted, before
     * it runs), {@code held} of them are held at the PACS and its 4 threads are busy with them.
     */
    private void awaitAllFramesInRouterB(int held) {
        await("router B takes the " + FRAMES + " frames").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                .until(() -> acksOfB() >= FRAMES);
        await("the PACS holds hospital-x's first requests").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> pacs.held() >= held && executorThreads() >= OPERATIONS_PER_PEER);
    }

    private void assertBoundedWhileHeldAndOthersServed() throws Exception {
        assertThat(executorThreads()).as("router B's threads running hospital-x's requests").isEqualTo(OPERATIONS_PER_PEER);
        assertThat(ManagementFactory.getThreadMXBean().getThreadCount() - threadsBefore).as("threads the JVM gained")
                .isLessThan(THREAD_GROWTH_BOUND);
        assertThat(statuses).as("answers before the PACS answered").isEmpty();
        // Not starved: another router's C-FIND goes through router B meanwhile.
        assertThat(findThroughA()).as("hospital-a's C-FIND to " + QUIET_AE + " during the flood").isEqualTo(new FindResult(0x0000, 1));
    }

    private void awaitAllAnswered() {
        await("all " + FRAMES + " answered").atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(100))
                .until(() -> statuses.values().stream().filter(s -> s.contains(0x0000)).count() == FRAMES);
    }

    private void assertEachRanAndWasAnsweredOnce(List<Integer> answers) {
        assertThat(peakExecutorThreads.get()).as("peak of router B's threads running requests").isLessThanOrEqualTo(OPERATIONS_PER_PEER);
        assertThat(peakJvmThreads.get() - threadsBefore).as("peak growth of the JVM's threads").isLessThan(THREAD_GROWTH_BOUND);
        Map<String, Integer> once = new TreeMap<>();
        keyOf.values().forEach(k -> once.put(k, 1));
        once.put("QUIET", 1);
        assertThat(pacs.requestsByKey()).as("requests at the PACS: each exactly once").isEqualTo(once);
        assertThat(statuses.keySet()).isEqualTo(keyOf.keySet());
        List<String> notOnce = new ArrayList<>();
        statuses.forEach((op, s) -> {
            if (!s.equals(answers)) notOnce.add(keyOf.get(op) + " " + s);
        });
        assertThat(notOnce).as("operations not answered exactly " + answers).isEmpty();
        assertThat(net.logs.warnings(COURIER_LOG, "too many frames waiting")).as("A700 busy refusals").isEmpty();
        assertThat(net.logs.warnings(COURIER_LOG, "refused")).as("frames refused by router B").isEmpty();
    }

    private int acksOfB() {
        AtomicInteger n = net.recording.acks.get("hospital-b");
        return n == null ? 0 : n.get();
    }

    /** As each held request arrives at the PACS: router B's threads in a request, and the JVM's thread count. */
    private void sample() {
        peakExecutorThreads.accumulateAndGet(executorThreads(), Math::max);
        peakJvmThreads.accumulateAndGet(ManagementFactory.getThreadMXBean().getThreadCount(), Math::max);
    }

    private static int executorThreads() {
        int n = 0;
        for (StackTraceElement[] stack : Thread.getAllStackTraces().values()) {
            for (StackTraceElement e : stack) {
                if (e.getClassName().equals(EXECUTOR_CLASS) && e.getMethodName().equals("onMessage")) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    private long incomingFilesOfB() throws IOException {
        try (Stream<Path> s = Files.list(net.configB.state())) {
            return s.filter(p -> p.getFileName().toString().startsWith("incoming-")).count();
        }
    }

    /** A minimal Secondary Capture data set, Implicit VR Little Endian, no file meta: what a StoreRq's payload is. */
    private static byte[] secondaryCapture(String sopInstanceUid, String patientId) throws IOException {
        Attributes ds = new Attributes();
        ds.setString(0x00080016, VR.UI, HoldingScp.SECONDARY_CAPTURE);
        ds.setString(0x00080018, VR.UI, sopInstanceUid);
        ds.setString(0x00100020, VR.LO, patientId);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DicomOutputStream out = new DicomOutputStream(bytes, TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN);
        out.writeDataSet(ds);
        out.finish();
        return bytes.toByteArray();
    }

    record FindResult(int status, int matches) {}

    /** A Study Root C-FIND from the workstation at router A to QUIET_PACS (relayed to router B), Patient ID QUIET. */
    private FindResult findThroughA() throws Exception {
        try (QueryRetrieveScu scu = QueryRetrieveScu.open("127.0.0.1", net.portA(), QUIET_AE, RelayNetwork.WORKSTATION,
                QueryRetrieveModel.STUDY_ROOT, List.of(), null, AssociationOptions.DEFAULT)) {
            Attributes keys = new Attributes();
            keys.setString(0x00080052, VR.CS, "STUDY");
            keys.setString(0x00100020, VR.LO, "QUIET");
            PendingRequest p = scu.find(keys);
            DimseResponse r, last = null;
            int found = 0;
            while ((r = p.next()) != null) {
                if (r.isPending()) found++;
                last = r;
            }
            return new FindResult(last.status(), found);
        }
    }
}
