package org.dicomrelay.router;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deadlines of pipelined objects, after RFC 6298 §5: one running deadline per destination, the
 * oldest unanswered object's, restarted when an answer makes another the oldest; a silent
 * destination loses everything in flight at once; a destination that answers others loses only
 * the oldest. The timer is driven by the test: a scheduled deadline runs when the test says it passed.
 */
@Timeout(30)
class InFlightDeadlinesTest {
    /** Records what is scheduled instead of running it. */
    private static final class ManualTimer extends ScheduledThreadPoolExecutor {
        final List<Runnable> armed = new CopyOnWriteArrayList<>();

        ManualTimer() {
            super(1);
        }

        @Override public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            armed.add(command);
            return super.schedule(() -> {}, 1, TimeUnit.DAYS); // cancellable, never due in a test
        }

        void passLatest() {
            armed.get(armed.size() - 1).run();
        }
    }

    private final ManualTimer timer = new ManualTimer();
    private final InFlightDeadlines deadlines = new InFlightDeadlines(timer);
    private final AnswerDeadline estimates = new AnswerDeadline();
    private final List<String> lost = new CopyOnWriteArrayList<>();

    @AfterEach void stop() {
        timer.shutdownNow();
    }

    private static final String DESTINATION = "hospital-b PACS_B";

    private InFlightDeadlines.Tracked send(String name) {
        return send(name, estimates.begin(DESTINATION, 0));
    }

    private InFlightDeadlines.Tracked send(String name, AnswerDeadline.Wait wait) {
        return deadlines.track(DESTINATION, wait, () -> lost.add(name));
    }

    /** The destination answers {@code n} objects at once: the estimate learns it is fast (its deadline is the floor). */
    private void answeredPromptly(int n) {
        for (int i = 0; i < n; i++) deadlines.answered(send("answered-" + i));
    }

    @Test void onlyTheOldestHasARunningDeadlineAndASilentDestinationLosesEverythingInFlight() {
        send("o1");
        send("o2");
        send("o3");
        assertThat(timer.armed).as("one deadline for three objects in flight").hasSize(1);
        timer.passLatest();
        assertThat(lost).containsExactlyInAnyOrder("o1", "o2", "o3");
    }

    @Test void aDestinationThatAnswersOthersLosesOnlyTheOldestAndTheNextGetsADeadlineOfItsOwn() {
        send("o1");
        InFlightDeadlines.Tracked o2 = send("o2");
        send("o3");
        deadlines.answered(o2); // answered out of order: not the oldest, no new deadline
        assertThat(timer.armed).hasSize(1);
        timer.passLatest();
        assertThat(lost).containsExactly("o1");
        assertThat(timer.armed).as("o3 is the oldest now, with a deadline of its own").hasSize(2);
        timer.passLatest(); // nothing answered since o3's deadline started
        assertThat(lost).containsExactly("o1", "o3");
    }

    /** A router B killed after taking o1..o3 answers o4 once restarted: o1..o3 are lost at one deadline, not three. */
    @Test void objectsSentBeforeAnAnsweredOneAreLostWithTheOldestAtItsDeadline() {
        send("o1");
        send("o2");
        send("o3");
        InFlightDeadlines.Tracked o4 = send("o4");
        send("o5");
        deadlines.answered(o4);
        timer.passLatest();
        assertThat(lost).containsExactlyInAnyOrder("o1", "o2", "o3");
        assertThat(timer.armed).as("o5, sent after the answered one, keeps a deadline of its own").hasSize(2);
    }

    @Test void anAnswerToTheOldestRestartsTheDeadlineForTheNextAndTheOldDeadlineIsVoid() {
        InFlightDeadlines.Tracked o1 = send("o1");
        send("o2");
        deadlines.answered(o1);
        assertThat(timer.armed).hasSize(2);
        timer.armed.get(0).run(); // o1's deadline, had it not been cancelled
        assertThat(lost).isEmpty();
        timer.passLatest();
        assertThat(lost).containsExactly("o2");
    }

    /**
     * Measured (kill -9 of the Bridge, it StoreAndForwardFaultsTest): router B's answers to the
     * objects in flight were lost with the Bridge; one late answer made the first deadline "not
     * silent", so only the oldest and those overtaken were lost, and the other eleven waited a
     * second full deadline (2 x 25 s). A send that failed marks what was in flight: it is lost at
     * the first deadline, while an object sent after the path came back keeps its own.
     */
    @Test void objectsInFlightWhenASendFailedAreLostTogetherAtTheNextDeadline() {
        send("o1");
        send("o2");
        InFlightDeadlines.Tracked o3 = send("o3");
        send("o4");
        send("o5");
        deadlines.sendFailed(DESTINATION); // o6 could not be sent: the Bridge is down
        send("o7"); // the Bridge is back
        deadlines.answered(o3); // a late answer, from before the failure
        timer.passLatest();
        assertThat(lost).containsExactlyInAnyOrder("o1", "o2", "o4", "o5");
        assertThat(timer.armed).as("o7, sent after the failure, keeps a deadline of its own").hasSize(2);
    }

    /**
     * RFC 6298 §5.5 with one timer: fifty objects lost at one deadline double the next deadline
     * once (5 s to 10 s), not once per object (which would reach the 60 s ceiling and hold the
     * resends of a recovering destination that long), and an answer ends the back-off (as with
     * Karn's algorithm, the backed-off deadline stays until a new sample comes).
     */
    @Test void manyObjectsLostAtOneDeadlineDoubleTheNextDeadlineOnceAndAnAnswerResetsIt() {
        answeredPromptly(3);
        assertThat(estimates.begin(DESTINATION, 0).timeout()).isEqualTo(AnswerDeadline.DEFAULT_FLOOR);
        for (int i = 0; i < 50; i++) send("o" + i);
        timer.passLatest();
        assertThat(lost).hasSize(50);
        assertThat(estimates.begin(DESTINATION, 0).timeout()).isEqualTo(AnswerDeadline.DEFAULT_FLOOR.multipliedBy(2));
        answeredPromptly(1);
        assertThat(estimates.begin(DESTINATION, 0).timeout()).isEqualTo(AnswerDeadline.DEFAULT_FLOOR);
    }

    /**
     * After the oldest is lost, the next oldest (sent before the destination's last answer) is owed
     * its answer from that answer on, not given a fresh full deadline from the expiry.
     */
    @Test void theNextOldestsDeadlineRunsFromTheDestinationsLastAnswer() {
        answeredPromptly(3);
        send("o1");
        InFlightDeadlines.Tracked o2 = send("o2");
        AnswerDeadline.Wait w3 = estimates.begin(DESTINATION, 0);
        send("o3", w3);
        deadlines.answered(o2);
        timer.passLatest();
        assertThat(lost).containsExactly("o1");
        assertThat(w3.remaining()).as("o3's deadline counts from o2's answer").isLessThan(w3.timeout());
    }

    @Test void anObjectNoLongerAwaitedIsForgotten() {
        InFlightDeadlines.Tracked o1 = send("o1");
        deadlines.untrack(o1);
        timer.passLatest();
        assertThat(lost).isEmpty();
    }
}
