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

    private InFlightDeadlines.Tracked send(String name) {
        return deadlines.track("hospital-b PACS_B", estimates.begin("hospital-b PACS_B", 0), () -> lost.add(name));
    }

    @Test void onlyTheOldestHasARunningDeadlineAndASilentDestinationLosesEverythingInFlight() {
        send("o1");
        send("o2");
        send("o3");
        assertThat(timer.armed).as("one deadline for three objects in flight").hasSize(1);
        timer.passLatest();
        assertThat(lost).containsExactlyInAnyOrder("o1", "o2", "o3");
    }

    @Test void aDestinationThatAnswersOthersLosesOnlyTheOldestAndTheNextGetsAFullDeadline() {
        send("o1");
        InFlightDeadlines.Tracked o2 = send("o2");
        send("o3");
        deadlines.answered(o2); // answered out of order: not the oldest, no new deadline
        assertThat(timer.armed).hasSize(1);
        timer.passLatest();
        assertThat(lost).containsExactly("o1");
        assertThat(timer.armed).as("o3 is the oldest now, with a deadline from now").hasSize(2);
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

    @Test void anObjectNoLongerAwaitedIsForgotten() {
        InFlightDeadlines.Tracked o1 = send("o1");
        deadlines.untrack(o1);
        timer.passLatest();
        assertThat(lost).isEmpty();
    }
}
