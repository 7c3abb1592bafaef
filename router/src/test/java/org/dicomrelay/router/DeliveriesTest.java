package org.dicomrelay.router;

import org.dicomrelay.router.config.RetryPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Store-and-forward scheduling with a stand-in for the relay (the attempt): per destination,
 * back-off with one probe at a time, dead letters for permanent refusals and for what waited
 * longer than the policy allows, resumption at start, operators' requests.
 */
@Timeout(60)
class DeliveriesTest {
    private static final RetryPolicy FAST = new RetryPolicy(1, 2, 168);
    /** Small, so that a destination down shows its probes after the first wave. */
    private static final int WINDOW = 4;

    /** A destination per called AE: up (0000), down (no answer) or refusing (A900), switchable; counts attempts and concurrency. */
    private static final class Destinations implements Deliveries.Attempt {
        final Map<String, String> mode = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        final AtomicInteger downNow = new AtomicInteger(), downMax = new AtomicInteger();

        @Override public DeliveryResult deliver(SpoolEntry e) {
            attempts.computeIfAbsent(e.calledAe(), k -> new AtomicInteger()).incrementAndGet();
            switch (mode.getOrDefault(e.calledAe(), "up")) {
                case "down" -> {
                    downMax.accumulateAndGet(downNow.incrementAndGet(), Math::max);
                    try {
                        Thread.sleep(20); // an attempt takes time: concurrent ones overlap
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                    downNow.decrementAndGet();
                    return DeliveryResult.unreachable("connection refused");
                }
                case "refusing" -> {
                    return DeliveryResult.answered(0xA900, "not a CT", null);
                }
                default -> {
                    return DeliveryResult.delivered(0);
                }
            }
        }

        int attempts(String ae) {
            return attempts.getOrDefault(ae, new AtomicInteger()).get();
        }
    }

    private static Deliveries started(Deliveries d) {
        d.start();
        return d;
    }

    private static List<SpoolEntry> add(Spool spool, String ae, int n) throws IOException {
        List<SpoolEntry> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(spool.add(new ByteArrayInputStream(new byte[16]), ae, "CT1", "1.2.840.10008.5.1.4.1.1.2", "1.2.3." + ae.length() + "." + i,
                    "1.2.840.10008.1.2.1"));
        }
        return out;
    }

    private static long count(Spool spool, String ae, SpoolEntry.State state) throws IOException {
        return spool.entries().stream().filter(e -> e.calledAe().equals(ae) && e.state() == state).count();
    }

    @Test void aDestinationDownGetsOneProbeAtATimeAndDelaysNoOtherDestination(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir);
        Destinations dest = new Destinations();
        dest.mode.put("DOWN", "down");
        try (Deliveries d = started(new Deliveries(spool, FAST, WINDOW, dest))) {
            for (SpoolEntry e : add(spool, "DOWN", 20)) d.submit(e);
            for (SpoolEntry e : add(spool, "UP", 20)) d.submit(e);
            await().atMost(Duration.ofSeconds(10)).until(() -> count(spool, "UP", SpoolEntry.State.PENDING) == 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> dest.attempts("DOWN") >= WINDOW + 2);
            // not hammered: the first wave, then one probe per back-off (0.5-1 s, then 1-2 s)
            assertThat(dest.attempts("DOWN")).isLessThanOrEqualTo(WINDOW + 6);
            assertThat(dest.downMax.get()).isLessThanOrEqualTo(WINDOW);
            assertThat(count(spool, "DOWN", SpoolEntry.State.PENDING)).as("nothing dropped, nothing dead-lettered").isEqualTo(20);
            SpoolEntry tried = spool.entries().stream().filter(e -> e.attempts() > 0).findFirst().orElseThrow();
            assertThat(tried.lastReason()).isEqualTo("connection refused");
            assertThat(tried.nextAttemptAt()).isNotNull();

            dest.mode.put("DOWN", "up"); // the PACS is back: the next probe succeeds and the rest follow
            await().atMost(Duration.ofSeconds(15)).until(() -> spool.entries().isEmpty());
            assertThat(dest.attempts("UP")).isEqualTo(20);
        }
    }

    /** The window counts bytes too: large objects stop the pipeline before its count of objects does (one always goes). */
    @Test void noFurtherObjectStartsOnceTheWindowsBytesAreInFlight(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir);
        java.util.Queue<java.util.concurrent.CompletableFuture<DeliveryResult>> outstanding = new java.util.concurrent.ConcurrentLinkedQueue<>();
        Deliveries.Send send = e -> {
            java.util.concurrent.CompletableFuture<DeliveryResult> f = new java.util.concurrent.CompletableFuture<>();
            outstanding.add(f);
            return f;
        };
        // 16-byte objects, 40 bytes of window: the third starts with 32 in flight, a fourth would start with 48.
        try (Deliveries d = started(new Deliveries(spool, FAST, 10, 40, send))) {
            for (SpoolEntry e : add(spool, "BIG", 8)) d.submit(e);
            await().atMost(Duration.ofSeconds(10)).until(() -> outstanding.size() == 3);
            outstanding.poll().complete(DeliveryResult.delivered(0)); // 32 in flight again: one more may go
            await().atMost(Duration.ofSeconds(10)).until(() -> outstanding.size() == 3 && spool.entries().size() == 7);
            for (int answered = 1; answered < 8; answered++) {
                await().atMost(Duration.ofSeconds(10)).until(() -> !outstanding.isEmpty());
                assertThat(outstanding.size()).isLessThanOrEqualTo(3);
                outstanding.poll().complete(DeliveryResult.delivered(0));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> spool.entries().isEmpty());
        }
    }

    @Test void aPermanentRefusalIsDeadLetteredAtOnceWithItsStatusAndTheDestinationKeepsWorking(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir);
        Destinations dest = new Destinations();
        dest.mode.put("PACS", "refusing");
        try (Deliveries d = started(new Deliveries(spool, FAST, WINDOW, dest))) {
            for (SpoolEntry e : add(spool, "PACS", 3)) d.submit(e);
            await().atMost(Duration.ofSeconds(10)).until(() -> count(spool, "PACS", SpoolEntry.State.DEAD_LETTER) == 3);
            assertThat(dest.attempts("PACS")).as("one attempt each: a refusal is not retried").isEqualTo(3);
            SpoolEntry dead = spool.entries().get(0);
            assertThat(dead.lastStatus()).isEqualTo(0xA900);
            assertThat(dead.lastStatusMeaning()).isEqualTo("Error: Data Set does not match SOP Class");
            assertThat(dead.lastReason()).contains("not a CT");
            assertThat(dead.attempts()).isEqualTo(1);

            dest.mode.put("PACS", "up"); // the cause is fixed; an operator resubmits one
            SpoolAnswer a = d.apply(new SpoolRequest(SpoolRequest.Action.RESUBMIT, SpoolRequest.Selector.entry(dead.id()), "test"));
            assertThat(a.changed()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> spool.entries().size() == 2);
            assertThat(spool.entries()).noneMatch(e -> e.id().equals(dead.id()));
        }
    }

    @Test void oneObjectThatAlwaysFailsTransientlyDoesNotBlockTheOthersOfItsDestination(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir);
        AtomicInteger stuckAttempts = new AtomicInteger();
        Deliveries.Attempt attempt = e -> {
            if (!e.sopInstanceUid().equals("9.9")) return DeliveryResult.delivered(0);
            stuckAttempts.incrementAndGet();
            return DeliveryResult.unreachable("no answer from router hospital-b within 60 s"); // e.g. too large to arrive in time
        };
        try (Deliveries d = started(new Deliveries(spool, FAST, WINDOW, attempt))) {
            SpoolEntry stuck = spool.add(new ByteArrayInputStream(new byte[16]), "PACS", "CT1", "1.2.840.10008.5.1.4.1.1.2", "9.9", "1.2.840.10008.1.2.1");
            d.submit(stuck);
            await().atMost(Duration.ofSeconds(10)).until(() -> stuckAttempts.get() >= 1); // the destination is in back-off now
            for (SpoolEntry e : add(spool, "PACS", 5)) d.submit(e);
            await().atMost(Duration.ofSeconds(15)).until(() -> spool.entries().size() == 1);
            assertThat(spool.entries().get(0).id()).isEqualTo(stuck.id());
            assertThat(spool.entries().get(0).state()).isEqualTo(SpoolEntry.State.PENDING);
        }
    }

    @Test void atStartEveryPendingEntryResumesAndDeadLettersWait(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir);
        List<SpoolEntry> pending = add(spool, "PACS", 5);
        SpoolEntry dead = add(spool, "PACS", 1).get(0).deadLettered(0xC000, "refused", true);
        spool.write(dead);
        Destinations dest = new Destinations();
        try (Deliveries d = started(new Deliveries(spool, FAST, WINDOW, dest))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> spool.entries().size() == 1);
            assertThat(spool.entries()).containsExactly(dead);
            assertThat(dest.attempts("PACS")).isEqualTo(pending.size());
        }
    }

    @Test void whatFailsLongerThanThePolicyAllowsIsDeadLetteredWithTheReason(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir);
        Instant longAgo = Instant.now().minus(Duration.ofHours(2));
        for (SpoolEntry e : add(spool, "DOWN", 7)) spool.write(e.withCreatedAt(longAgo));
        Destinations dest = new Destinations();
        dest.mode.put("DOWN", "down");
        try (Deliveries d = started(new Deliveries(spool, new RetryPolicy(1, 2, 1), WINDOW, dest))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> count(spool, "DOWN", SpoolEntry.State.DEAD_LETTER) == 7);
            assertThat(dest.attempts("DOWN")).as("the waiting ones go without an attempt of their own").isLessThan(7);
            assertThat(spool.entries()).allSatisfy(e -> assertThat(e.lastReason()).startsWith("gave up after").contains("connection refused"));
        }
    }

    @Test void aDiscardIsRecordedAndTheEntryIsNotDelivered(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir);
        Destinations dest = new Destinations();
        dest.mode.put("PACS", "refusing");
        try (Deliveries d = started(new Deliveries(spool, FAST, WINDOW, dest))) {
            SpoolEntry e = add(spool, "PACS", 1).get(0);
            d.submit(e);
            await().atMost(Duration.ofSeconds(10)).until(() -> count(spool, "PACS", SpoolEntry.State.DEAD_LETTER) == 1);
            SpoolAnswer a = d.apply(new SpoolRequest(SpoolRequest.Action.DISCARD, SpoolRequest.Selector.destination("PACS"), "dr-ops"));
            assertThat(a.changed()).isEqualTo(1);
            assertThat(spool.entries()).isEmpty();
            assertThat(Files.readString(dir.resolve(Spool.DISCARDED_LOG))).contains("id=" + e.id()).contains("sopInstanceUid=" + e.sopInstanceUid())
                    .contains("destination=PACS").contains("state=dead-letter").contains("lastStatus=A900H").contains("by=dr-ops");
            assertThat(d.apply(new SpoolRequest(SpoolRequest.Action.RESUBMIT, SpoolRequest.Selector.everything(), "dr-ops")).matched()).isZero();
        }
    }

    @Test void aResubmittedOldDeadLetterGetsAFreshGiveUpWindowAndIsRetried(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir);
        Instant longAgo = Instant.now().minus(Duration.ofHours(200)); // older than the 168 h give-up
        List<SpoolEntry> dead = new java.util.ArrayList<>();
        for (SpoolEntry e : add(spool, "PACS", 3)) {
            SpoolEntry d = e.withCreatedAt(longAgo).deadLettered(0xA900, "not a CT", true);
            spool.write(d);
            dead.add(d);
        }
        Destinations dest = new Destinations();
        dest.mode.put("PACS", "down"); // the PACS fails transiently after the resubmit
        try (Deliveries d = started(new Deliveries(spool, FAST, WINDOW, dest))) {
            d.apply(new SpoolRequest(SpoolRequest.Action.RESUBMIT, SpoolRequest.Selector.destination("PACS"), "test"));
            await().atMost(Duration.ofSeconds(10)).until(() -> spool.entries().stream().filter(e -> e.attempts() > 0).count() >= 2);
            assertThat(spool.entries()).as("a transient failure after a resubmit is retried, not given up at once by its creation time")
                    .allSatisfy(e -> assertThat(e.state()).isEqualTo(SpoolEntry.State.PENDING))
                    .allSatisfy(e -> assertThat(e.createdAt()).as("the listing's age stays").isEqualTo(longAgo))
                    .allSatisfy(e -> assertThat(e.retryingSince()).isAfter(Instant.now().minus(Duration.ofMinutes(1))));
            dest.mode.put("PACS", "up");
            await().atMost(Duration.ofSeconds(15)).until(() -> spool.entries().isEmpty());
        }
    }

    @Test void aDiscardDuringItsDeliveryEndsThatAttemptQuietlyAndPutsTheDestinationIntoNoBackOff(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir);
        java.util.concurrent.CountDownLatch sending = new java.util.concurrent.CountDownLatch(1), discarded = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger delivered = new AtomicInteger();
        Deliveries.Attempt attempt = e -> {
            if (!e.sopInstanceUid().equals("9.9")) {
                delivered.incrementAndGet();
                return DeliveryResult.delivered(0);
            }
            sending.countDown();
            try {
                discarded.await();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            // what RelayService.forward reports when the data went under it
            return DeliveryResult.unreachable("sending to router b failed: NoSuchFileException: " + spool.data(e.id()));
        };
        RetryPolicy slow = new RetryPolicy(600, 600, 168); // a back-off would hold the next object for ten minutes
        try (Deliveries d = started(new Deliveries(spool, slow, WINDOW, attempt))) {
            SpoolEntry doomed = spool.add(new ByteArrayInputStream(new byte[16]), "PACS", "CT1", "1.2.840.10008.5.1.4.1.1.2", "9.9", "1.2.840.10008.1.2.1");
            d.submit(doomed);
            assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();
            SpoolAnswer a = d.apply(new SpoolRequest(SpoolRequest.Action.DISCARD, SpoolRequest.Selector.entry(doomed.id()), "dr-ops"));
            assertThat(a.changed()).isEqualTo(1);
            discarded.countDown();
            for (SpoolEntry e : add(spool, "PACS", 3)) d.submit(e);
            await().atMost(Duration.ofSeconds(10)).until(() -> delivered.get() == 3);
            assertThat(spool.entries()).isEmpty();
        }
    }

    @Test void aDiscardWaitingOnItsDiskDoesNotHoldUpNewlyReceivedObjects(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir);
        Destinations dest = new Destinations();
        dest.mode.put("PACS", "refusing");
        // discarded.log as a FIFO: the discard's write blocks until the test reads it, like a slow fsync on a big discard
        Path log = dir.resolve(Spool.DISCARDED_LOG);
        assertThat(new ProcessBuilder("mkfifo", log.toString()).start().waitFor()).isZero();
        try (Deliveries d = started(new Deliveries(spool, FAST, WINDOW, dest))) {
            for (SpoolEntry e : add(spool, "PACS", 1)) d.submit(e);
            await().atMost(Duration.ofSeconds(10)).until(() -> count(spool, "PACS", SpoolEntry.State.DEAD_LETTER) == 1);
            java.util.concurrent.CompletableFuture<SpoolAnswer> discard = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> d.apply(new SpoolRequest(SpoolRequest.Action.DISCARD, SpoolRequest.Selector.destination("PACS"), "dr-ops")));
            await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> java.util.Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals("discard")
                            && f.getClassName().equals(Spool.class.getName()))));
            boolean drained = false;
            try {
                java.util.concurrent.CompletableFuture<Void> submitted = java.util.concurrent.CompletableFuture.runAsync(() -> {
                    try {
                        for (SpoolEntry e : add(spool, "UP", 2)) d.submit(e);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                submitted.get(10, TimeUnit.SECONDS); // blocked behind the discard before the fix
                await().atMost(Duration.ofSeconds(10)).until(() -> dest.attempts("UP") == 2);
                assertThat(discard).isNotDone();
                drained = true;
                try (java.io.InputStream in = Files.newInputStream(log)) {
                    assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).contains("destination=PACS");
                }
            } finally {
                if (!drained) unblock(log); // failed: let the discard go, so that close() is not stuck behind it
            }
            // a FIFO cannot be forced to disk: the discard is not recorded, so the entry stays, and says so
            SpoolAnswer a = discard.get(10, TimeUnit.SECONDS);
            assertThat(a.changed()).isZero();
            assertThat(a.message()).contains("could not be removed");
            assertThat(count(spool, "PACS", SpoolEntry.State.DEAD_LETTER)).isEqualTo(1);
            assertThat(d.apply(new SpoolRequest(SpoolRequest.Action.RESUBMIT, SpoolRequest.Selector.destination("PACS"), "dr-ops")).changed())
                    .as("still known to the router").isEqualTo(1);
        }
    }

    private static void unblock(Path fifo) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(fifo)) {
            in.readAllBytes();
        }
    }

    @Test void aRemoteAckRecordLeftByACrashIsRemovedAtStartNotDelivered(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir);
        SpoolEntry inFlight = spool.add(new ByteArrayInputStream(new byte[16]), "PACS", "CT1", "1.2.840.10008.5.1.4.1.1.2", "7.7",
                "1.2.840.10008.1.2.1", SpoolEntry.State.REMOTE_ACK);
        List<SpoolEntry> pending = add(spool, "PACS", 2);
        assertThat(spool.entries()).contains(inFlight); // listed as remote-ack while the modality waits
        Destinations dest = new Destinations();
        try (Deliveries d = started(new Deliveries(spool, FAST, WINDOW, dest))) {
            assertThat(spool.entries()).noneMatch(e -> e.id().equals(inFlight.id()));
            await().atMost(Duration.ofSeconds(10)).until(() -> spool.entries().isEmpty());
            assertThat(dest.attempts("PACS")).as("the modality was never told Success and resends it itself").isEqualTo(pending.size());
        }
        assertThat(Files.exists(spool.data(inFlight.id()))).isFalse();
    }
}
