package org.dicomrelay.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server-side sessions: one ends after {@code idle} without a request, after {@code maximum} in
 * all, or at sign-out. At most {@code capacity} live at once (the oldest goes first), so a flood
 * of sign-ins cannot fill the memory.
 */
public final class SessionStore {
    public static final Duration IDLE = Duration.ofMinutes(30), MAXIMUM = Duration.ofHours(12);
    public static final int CAPACITY = 256;

    private final Map<String, ConsoleSession> sessions = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration idle, maximum;
    private final int capacity;

    public SessionStore(Clock clock, Duration idle, Duration maximum, int capacity) {
        this.clock = clock;
        this.idle = idle;
        this.maximum = maximum;
        this.capacity = capacity;
    }

    public SessionStore(Clock clock) {
        this(clock, IDLE, MAXIMUM, CAPACITY);
    }

    /** A new session for {@code a}: a fresh id (never one the browser brought: no session fixation) and CSRF token. */
    public synchronized ConsoleSession open(Account a) {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> expired(s, now));
        while (sessions.size() >= capacity) {
            sessions.values().stream().min(Comparator.comparing(ConsoleSession::lastSeen)).ifPresent(s -> sessions.remove(s.id()));
        }
        ConsoleSession s = new ConsoleSession(Secrets.random(), a.user(), a.role(), Secrets.random(), now, now);
        sessions.put(s.id(), s);
        return s;
    }

    /** The live session with this id, its idle time restarted; empty if unknown or expired (which ends it). */
    public Optional<ConsoleSession> touch(String id) {
        if (id == null) return Optional.empty();
        Instant now = clock.instant();
        ConsoleSession s = sessions.get(id);
        if (s == null) return Optional.empty();
        if (expired(s, now)) {
            sessions.remove(id, s);
            return Optional.empty();
        }
        ConsoleSession seen = s.seenAt(now);
        sessions.replace(id, s, seen);
        return Optional.of(seen);
    }

    public void close(String id) {
        if (id != null) sessions.remove(id);
    }

    /** Ends every session of {@code user} (its account removed or its password changed). */
    public void closeAll(String user) {
        sessions.values().removeIf(s -> s.user().equals(user));
    }

    public int size() { return sessions.size(); }

    private boolean expired(ConsoleSession s, Instant now) {
        return !now.isBefore(s.lastSeen().plus(idle)) || !now.isBefore(s.created().plus(maximum));
    }
}
