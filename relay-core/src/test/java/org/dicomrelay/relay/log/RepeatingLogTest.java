package org.dicomrelay.relay.log;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Logs people can act on: a recurring failure is one line, then a periodic count, then one line when it clears. */
class RepeatingLogTest {
    private final List<String> lines = new ArrayList<>();
    private final AtomicLong now = new AtomicLong();
    private final RepeatingLog log = new RepeatingLog(new Recorder(lines), Duration.ofSeconds(60), now::get);

    @Test void aThousandFailuresOfOneDestinationAreOneLineThenAPeriodicCount() {
        for (int i = 0; i < 1000; i++) log.occurred("PACS_B", System.Logger.Level.WARNING, "delivery to PACS_B failed: connection refused");
        assertThat(lines).containsExactly("WARNING delivery to PACS_B failed: connection refused");
        now.addAndGet(Duration.ofSeconds(61).toNanos());
        log.occurred("PACS_B", System.Logger.Level.WARNING, "delivery to PACS_B failed: connection refused");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).contains("1000 times in the last 61 s").contains("1001 in all");
        log.cleared("PACS_B", "delivery to PACS_B works again");
        assertThat(lines.get(2)).isEqualTo("INFO delivery to PACS_B works again (after 1001 occurrences)");
        log.cleared("PACS_B", "cleared twice");
        assertThat(lines).hasSize(3);
    }

    @Test void conditionsAreKeptApart() {
        log.occurred("a", System.Logger.Level.WARNING, "a down");
        log.occurred("b", System.Logger.Level.WARNING, "b down");
        log.occurred("a", System.Logger.Level.WARNING, "a down");
        assertThat(lines).containsExactly("WARNING a down", "WARNING b down");
        assertThat(log.current("a")).isTrue();
        assertThat(log.current("c")).isFalse();
    }

    private record Recorder(List<String> lines) implements System.Logger {
        @Override public String getName() { return "test"; }
        @Override public boolean isLoggable(Level level) { return true; }
        @Override public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) { lines.add(level + " " + msg); }
        @Override public void log(Level level, ResourceBundle bundle, String format, Object... params) { lines.add(level + " " + format); }
    }
}
