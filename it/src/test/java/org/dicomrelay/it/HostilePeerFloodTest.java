package org.dicomrelay.it;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.VR;
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

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 9, "a hostile peer exhausts resources: one thread per frame, unbounded (300 frames → 300
 * threads and 300 connections to a local device)", inverted against real routers and a real
 * Bridge: hospital-x, enrolled and granted C-FIND on FLOOD_PACS, puts 300 C-FIND requests into
 * router B's inbox through the real cloud path (sealed with its own keys: each passes
 * authentication, the replay guard and the access matrix). FLOOD_PACS (our toolkit's SCP) holds
 * every query until the test releases it. With {@code limits.operationsPerPeer: 4} router B runs
 * at most 4 of them at once: 4 associations to the PACS and 4 of its threads, the other 296
 * frames waiting in hospital-x's queue (1000 deep, so none is answered A700); hospital-a's
 * C-FIND to QUIET_PACS (the same SCP, not held) is answered meanwhile; after the release every
 * one of the 300 runs exactly once at the PACS (PS3.4 C.4.1: one final response per C-FIND,
 * here 0000 after one pending match) and is answered once.
 */
@Timeout(240)
class HostilePeerFloodTest {
    private static final int FRAMES = 300;
    private static final int OPERATIONS_PER_PEER = 4;
    private static final String FLOOD_AE = "FLOOD_PACS";
    private static final String QUIET_AE = "QUIET_PACS";
    private static final String FLOODER = "hospital-x";
    private static final String EXECUTOR_CLASS = "org.dicomrelay.router.RemoteExecutor";
    /** Threads the whole JVM may gain during the flood: far below one per frame. */
    private static final int THREAD_GROWTH_BOUND = 60;

    private RelayNetwork net;
    private HoldingFindScp pacs;
    /** Router B's threads running a request (their stack is in the RemoteExecutor), as sampled at each query's arrival. */
    private final AtomicInteger peakExecutorThreads = new AtomicInteger();
    private final AtomicInteger peakJvmThreads = new AtomicInteger();

    @AfterEach void stop() {
        if (pacs != null) pacs.release();
        if (net != null) net.close();
        if (pacs != null) pacs.close();
    }

    @Test void threeHundredFramesFromOnePeerTakeOperationsPerPeerThreadsAndAssociationsNotOneEach() throws Exception {
        pacs = new HoldingFindScp(FLOOD_AE, this::sample);
        net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP)
                .deviceBAt(FLOOD_AE, pacs.port(), List.of("find"))
                .deviceBAt(QUIET_AE, pacs.port(), List.of("find"))
                .extraRouter(FLOODER)
                .grant(FLOODER, FLOOD_AE, "find")
                .grant("hospital-a", QUIET_AE, "find")
                .limitsB(new Limits(OPERATIONS_PER_PEER, null))
                .recordCloud()
                .start();
        RelayNetwork.EnrolledRouter x = net.extraRouters.get(FLOODER);
        BridgeClient client = RelayNetwork.client(x.credentials());
        Map<String, String> patientOf = new ConcurrentHashMap<>();
        Map<String, List<Integer>> statuses = new ConcurrentHashMap<>();
        List<String> matches = new CopyOnWriteArrayList<>();
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        int acksBefore = acksOfB();

        try (CloudCourier courier = net.courier(FLOODER, x.keys(), net.directoryKeys(client), client)) {
            courier.start((from, message, payload) -> {
                LinkMessage.FindRsp rsp = (LinkMessage.FindRsp) message;
                statuses.computeIfAbsent(rsp.operationId(), k -> new CopyOnWriteArrayList<>()).add(rsp.status());
                if (rsp.identifier() != null) matches.add(rsp.operationId());
            });
            for (int i = 0; i < FRAMES; i++) {
                String patientId = String.format("FLOOD-%03d", i);
                String operationId = UUID.randomUUID().toString();
                patientOf.put(operationId, patientId);
                courier.send("hospital-b", new LinkMessage.FindRq(operationId, FLOOD_AE, "HOSPITAL_X_WS", HoldingFindScp.STUDY_ROOT_FIND,
                        "{\"00080052\":{\"vr\":\"CS\",\"Value\":[\"STUDY\"]},\"00100020\":{\"vr\":\"LO\",\"Value\":[\"" + patientId + "\"]}}"),
                        null);
            }
            // Router B has taken all 300 frames from its inbox (it acknowledges each once admitted, before it runs).
            await("router B takes the 300 frames").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                    .until(() -> acksOfB() - acksBefore >= FRAMES);
            await("router B runs " + OPERATIONS_PER_PEER + " of them").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> pacs.held() >= OPERATIONS_PER_PEER);
            // All 300 are inside router B now, and the PACS holds what it was given: that is all router B opened.
            assertThat(pacs.held()).as("hospital-x's queries held at the PACS").isEqualTo(OPERATIONS_PER_PEER);
            assertThat(pacs.open(FLOOD_AE)).as("associations open at the PACS for hospital-x's frames").isEqualTo(OPERATIONS_PER_PEER);
            assertThat(executorThreads()).as("router B's threads running hospital-x's requests").isEqualTo(OPERATIONS_PER_PEER);
            assertThat(ManagementFactory.getThreadMXBean().getThreadCount() - threadsBefore).as("threads the JVM gained")
                    .isLessThan(THREAD_GROWTH_BOUND);
            assertThat(statuses).as("answers before the PACS answered").isEmpty();

            // Not starved: another router's C-FIND goes through router B meanwhile.
            assertThat(findThroughA()).as("hospital-a's C-FIND to " + QUIET_AE + " during the flood").isEqualTo(new FindResult(0x0000, 1));

            pacs.release();
            await("all 300 answered").atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(100))
                    .until(() -> statuses.values().stream().filter(s -> s.contains(0x0000)).count() == FRAMES);
        }

        assertThat(pacs.peak(FLOOD_AE)).as("peak of concurrent associations to the PACS for hospital-x's frames")
                .isEqualTo(OPERATIONS_PER_PEER);
        assertThat(peakExecutorThreads.get()).as("peak of router B's threads running requests").isLessThanOrEqualTo(OPERATIONS_PER_PEER);
        assertThat(peakJvmThreads.get() - threadsBefore).as("peak growth of the JVM's threads").isLessThan(THREAD_GROWTH_BOUND);

        Map<String, Integer> expected = new java.util.TreeMap<>();
        patientOf.values().forEach(p -> expected.put(p, 1));
        expected.put("QUIET", 1);
        assertThat(pacs.queriesByPatientId()).as("queries at the PACS per Patient ID: each exactly once").isEqualTo(expected);
        assertThat(statuses.keySet()).isEqualTo(patientOf.keySet());
        List<String> notOnce = new ArrayList<>();
        statuses.forEach((op, s) -> {
            if (!s.equals(List.of(0xFF00, 0x0000))) notOnce.add(patientOf.get(op) + " " + s);
        });
        assertThat(notOnce).as("operations not answered with exactly one match then 0000").isEmpty();
        assertThat(matches).hasSize(FRAMES).doesNotHaveDuplicates();
        assertThat(net.logs.warnings("org.dicomrelay.router.link.CloudCourier", "too many frames waiting")).as("A700 busy refusals").isEmpty();
        assertThat(net.logs.warnings("org.dicomrelay.router.link.CloudCourier", "refused")).as("frames refused by router B").isEmpty();
    }

    private int acksOfB() {
        AtomicInteger n = net.recording.acks.get("hospital-b");
        return n == null ? 0 : n.get();
    }

    /** At each query's arrival at the PACS: router B's threads in a request, and the JVM's thread count. */
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
