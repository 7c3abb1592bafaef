package org.dicomrelay.relay.log;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A condition that recurs (a destination down, a revoked peer knocking, the Bridge unreachable)
 * is logged once when it starts, then at most once per period with how often it happened since,
 * and once when it clears: the log stays readable when a thousand objects fail the same way.
 * Conditions are told apart by a key the caller chooses (for example the destination).
 */
public final class RepeatingLog {
    private final System.Logger log;
    private final long periodNanos;
    private final LongSupplier clock;
    private final Map<String, State> states = new ConcurrentHashMap<>();

    private static final class State {
        long lastLogged;
        long since;
        long total = 1;
    }

    public RepeatingLog(System.Logger log, Duration period) {
        this(log, period, System::nanoTime);
    }

    RepeatingLog(System.Logger log, Duration period, LongSupplier clock) {
        this.log = log;
        this.periodNanos = period.toNanos();
        this.clock = clock;
    }

    /** One more occurrence of the condition {@code key}; logged if it is the first or the period has passed. */
    public void occurred(String key, System.Logger.Level level, String message) {
        long now = clock.getAsLong();
        String line = null;
        State s = states.get(key);
        if (s == null) {
            State fresh = new State();
            fresh.lastLogged = now;
            if (states.putIfAbsent(key, fresh) == null) line = message;
            else s = states.get(key);
        }
        if (s != null) {
            synchronized (s) {
                s.total++;
                s.since++;
                if (now - s.lastLogged >= periodNanos) {
                    line = message + " (" + s.since + " times in the last " + seconds(now - s.lastLogged) + ", " + s.total + " in all)";
                    s.since = 0;
                    s.lastLogged = now;
                }
            }
        }
        if (line != null) log.log(level, line);
    }

    /** The condition {@code key} is over: logged once, with how often it occurred, if it was current. */
    public void cleared(String key, String message) {
        State s = states.remove(key);
        if (s != null) log.log(System.Logger.Level.INFO, message + " (after " + s.total + " occurrence" + (s.total == 1 ? "" : "s") + ")");
    }

    /** Whether the condition {@code key} is current (occurred and not cleared). */
    public boolean current(String key) {
        return states.containsKey(key);
    }

    private static String seconds(long nanos) {
        long s = Math.max(1, nanos / 1_000_000_000L);
        return s + " s";
    }
}
