package org.dicomrelay.router;

import org.dicomrelay.router.config.Link;
import org.dicomrelay.router.config.RetryPolicy;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.Courier;
import org.dicomrelay.router.link.LinkMessage;
import org.dicomrelay.router.link.UploadJournal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10 item 1, the pipeline per destination at router A: up to {@code link.window} spooled
 * objects are sent before any answer comes back (no thread waits for one object's round trip),
 * router B's answers complete them whenever they arrive (PS3.4 B.2.3: the entry leaves the spool
 * only on the PACS's status), a lost answer ends in a scheduled deadline and a resend as a new
 * operation, and {@code close()} leaves what is in flight in the spool. A courier that holds
 * router B's answers back stands in for the link; the test hands them to {@link Pending} as the
 * courier's answer dispatch does.
 */
@Timeout(60)
class PipelinedDeliveriesTest {
    private static final String B = "hospital-b";
    private static final RetryPolicy FAST = new RetryPolicy(1, 2, 168);

    @TempDir Path state;
    private final HoldingCourier courier = new HoldingCourier();
    private final Pending pending = new Pending();
    private RelayService relay;

    /** Counts the STORE_RQ it sends and how many were unanswered at each send; answers only when the test says. */
    private final class HoldingCourier implements Courier {
        final List<String> sent = new CopyOnWriteArrayList<>();
        final List<String> abandoned = new CopyOnWriteArrayList<>();
        final AtomicInteger answered = new AtomicInteger(), maxUnanswered = new AtomicInteger();

        @Override public void send(String to, LinkMessage message, PayloadWriter payload) throws IOException {
            if (payload != null) payload.writeTo(OutputStream.nullOutputStream()); // what the upload reads
            sent.add(message.operationId());
            maxUnanswered.accumulateAndGet(sent.size() - answered.get(), Math::max);
        }

        /** Router B's STORE answer, as the courier dispatches it; false if no operation awaited it. */
        boolean answer(String operationId, int status) throws IOException {
            answered.incrementAndGet();
            return pending.deliver(B, new LinkMessage.StoreRsp(operationId, status, null, null), null);
        }

        @Override public void start(Listener listener) {}

        @Override public void recordUploadsIn(UploadJournal journal) {}

        @Override public void abandon(String to, String operationId) {
            abandoned.add(operationId);
        }

        @Override public void close() {}
    }

    private RelayService relay(int window, int objects, AnswerDeadline deadlines) throws IOException {
        Spool spool = Spool.recover(state.resolve("spool"));
        for (int i = 0; i < objects; i++) {
            spool.add(new ByteArrayInputStream(new byte[64]), "PACS_B", "CT1", "1.2.840.10008.5.1.4.1.1.2", "1.2.3.4." + i, "1.2.840.10008.1.2.1");
        }
        RouterConfig config = new RouterConfig("hospital-a", state.toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null, List.of(),
                List.of(), null, FAST, null, null, new Link(null, null, null, null, null, null, window, null, null));
        RoutingTable routes = new RoutingTable();
        routes.replace(List.of(new RoutingTable.Route("PACS_B", B, Set.of("store"))));
        relay = new RelayService(config, routes, courier, pending, spool, null, deadlines);
        relay.startDeliveries();
        return relay;
    }

    @AfterEach void close() {
        if (relay != null) relay.close();
    }

    private List<SpoolEntry> spooled() throws IOException {
        return Spool.of(state).entries();
    }

    @Test void theWholeWindowIsSentBeforeTheFirstAnswerAndNeverMore() throws Exception {
        int window = 20; // more than the 8 send workers: a worker that waited for its answer could not send them all
        relay(window, 50, new AnswerDeadline());
        await().atMost(Duration.ofSeconds(20)).until(() -> courier.sent.size() == window);
        assertThat(courier.answered).hasValue(0);
        assertThat(spooled()).as("nothing leaves the spool without its status").hasSize(50);

        // Answers as router B batches them: each completes its own entry, and the window moves on.
        int done = 0;
        while (done < 50) {
            int upTo = Math.min(courier.sent.size(), done + 7);
            for (int i = done; i < upTo; i++) assertThat(courier.answer(courier.sent.get(i), 0x0000)).isTrue();
            done = upTo;
            int expected = Math.min(50, done + window);
            await().atMost(Duration.ofSeconds(20)).until(() -> courier.sent.size() == expected);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> spooled().isEmpty());
        assertThat(courier.maxUnanswered.get()).as("at most the window in flight").isLessThanOrEqualTo(window);
        assertThat(courier.sent).as("one send per object: nothing resent").hasSize(50).doesNotHaveDuplicates();
    }

    @Test void aLostAnswerEndsAtItsDeadlineAndTheObjectIsResentAsANewOperation() throws Exception {
        relay(4, 1, new AnswerDeadline(Duration.ofMillis(200), Duration.ofMillis(200)));
        await().atMost(Duration.ofSeconds(20)).until(() -> courier.sent.size() >= 2); // the deadline, a back-off, the resend
        String lost = courier.sent.get(0), resent = courier.sent.get(1);
        assertThat(resent).isNotEqualTo(lost);
        assertThat(courier.abandoned).as("the first payload withdrawn, so a late read cannot store it beside the resend").contains(lost);
        assertThat(spooled()).singleElement().satisfies(e -> {
            assertThat(e.state()).isEqualTo(SpoolEntry.State.PENDING);
            assertThat(e.attempts()).isPositive();
            assertThat(e.lastReason()).startsWith("no answer from router hospital-b");
        });

        assertThat(courier.answer(lost, 0x0000)).as("a late answer to the abandoned operation is dropped").isFalse();
        assertThat(spooled()).hasSize(1);
        // The latest resend's answer removes it (with 200 ms deadlines, the resend may itself have been resent meanwhile).
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            courier.answer(courier.sent.get(courier.sent.size() - 1), 0x0000);
            return spooled().isEmpty();
        });
    }

    @Test void aTransientStatusKeepsTheEntryForARetryAndARefusalDeadLettersIt() throws Exception {
        relay(4, 2, new AnswerDeadline());
        await().atMost(Duration.ofSeconds(20)).until(() -> courier.sent.size() == 2);
        assertThat(courier.answer(courier.sent.get(0), 0xA700)).isTrue(); // Refused: Out of resources (PS3.4 B.2.3): transient
        assertThat(courier.answer(courier.sent.get(1), 0xA900)).isTrue(); // Data Set does not match SOP Class: permanent
        await().atMost(Duration.ofSeconds(20)).until(() -> spooled().stream().anyMatch(e -> e.state() == SpoolEntry.State.DEAD_LETTER)
                && spooled().stream().anyMatch(e -> e.attempts() == 1 && e.state() == SpoolEntry.State.PENDING));
        await().atMost(Duration.ofSeconds(20)).until(() -> courier.sent.size() == 3); // the probe after the back-off
        assertThat(courier.answer(courier.sent.get(2), 0x0000)).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> spooled().size() == 1);
        assertThat(spooled().get(0).lastStatus()).isEqualTo(0xA900);
    }

    @Test void closingWithObjectsInFlightLeavesThemPendingForTheNextStart() throws Exception {
        relay(5, 5, new AnswerDeadline());
        await().atMost(Duration.ofSeconds(20)).until(() -> courier.sent.size() == 5);
        relay.close();
        relay = null;
        courier.answer(courier.sent.get(0), 0x0000); // an answer racing with the stop changes nothing
        assertThat(spooled()).hasSize(5).allSatisfy(e -> {
            assertThat(e.state()).isEqualTo(SpoolEntry.State.PENDING);
            assertThat(e.attempts()).isZero();
        });
    }
}
