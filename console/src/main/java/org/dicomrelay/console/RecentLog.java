package org.dicomrelay.console;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The last {@link #CAPACITY} log lines (INFO and above) for the status page: a handler on the
 * root logger while the console runs. Log messages never hold secrets (a project rule), so the
 * page may show them to every signed-in user.
 */
public final class RecentLog extends Handler implements AutoCloseable {
    public static final int CAPACITY = 200;

    /** One line: when, how severe, from which logger, what. */
    public record Line(String time, String level, String logger, String message) {}

    private final Deque<Line> lines = new ArrayDeque<>();
    private final SimpleFormatter formatter = new SimpleFormatter();

    private RecentLog() {
        setLevel(Level.INFO);
    }

    /** Starts collecting. */
    public static RecentLog attach() {
        RecentLog r = new RecentLog();
        Logger.getLogger("").addHandler(r);
        return r;
    }

    @Override public void publish(LogRecord rec) {
        if (rec == null || !isLoggable(rec)) return;
        String name = rec.getLoggerName() == null ? "" : rec.getLoggerName();
        Line l = new Line(Instant.ofEpochMilli(rec.getMillis()).toString(), rec.getLevel().getName(), name.substring(name.lastIndexOf('.') + 1),
                AuditLog.clean(formatter.formatMessage(rec)));
        synchronized (lines) {
            if (lines.size() == CAPACITY) lines.removeFirst();
            lines.addLast(l);
        }
    }

    /** The newest {@code n} lines, oldest first. */
    public List<Line> last(int n) {
        synchronized (lines) {
            List<Line> all = new ArrayList<>(lines);
            return List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
        }
    }

    @Override public void flush() {}

    @Override public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
