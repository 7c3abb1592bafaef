package org.dicomrelay.it;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Every java.util.logging record (where System.Logger and SLF4J end up) published while it is
 * installed, as "LEVEL logger: message" lines: the tests assert that refusals are logged.
 */
final class LogCapture extends Handler implements AutoCloseable {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");

    LogCapture() {
        setLevel(Level.ALL);
        root.addHandler(this);
    }

    @Override public void publish(LogRecord r) {
        String msg = r.getMessage();
        if (r.getThrown() != null) msg = msg + " (" + r.getThrown() + ")";
        lines.add(r.getLevel() + " " + r.getLoggerName() + ": " + msg);
    }

    /** Lines logged so far. */
    List<String> lines() {
        return List.copyOf(lines);
    }

    /** Lines at WARNING or above from a logger whose name starts with {@code loggerPrefix} and contain every fragment. */
    List<String> warnings(String loggerPrefix, String... fragments) {
        return lines.stream()
                .filter(l -> l.startsWith("WARNING ") || l.startsWith("SEVERE "))
                .filter(l -> l.substring(l.indexOf(' ') + 1).startsWith(loggerPrefix))
                .filter(l -> {
                    for (String f : fragments) if (!l.contains(f)) return false;
                    return true;
                }).toList();
    }

    @Override public void flush() {}

    @Override public void close() {
        root.removeHandler(this);
    }
}
