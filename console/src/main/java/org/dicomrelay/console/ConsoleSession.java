package org.dicomrelay.console;

import java.time.Instant;

/**
 * A signed-in user's session, kept at the server: the browser holds only its random id (the
 * cookie). {@code csrfToken} is the synchroniser token every state-changing request must carry.
 */
public record ConsoleSession(String id, String user, Role role, String csrfToken, Instant created, Instant lastSeen) {
    ConsoleSession seenAt(Instant t) {
        return new ConsoleSession(id, user, role, csrfToken, created, t);
    }

    /** Never the id or the token: a session's text may reach a log. */
    @Override public String toString() {
        return "session of " + user + " (" + role.text() + ") since " + created;
    }
}
