package org.dicomrelay.bridge;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.log.RepeatingLog;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Tells every Bridge instance on one PostgreSQL database that a notification was stored for a
 * router, so that a long poll parked at one instance returns at once when another instance took
 * the publish (PostgreSQL LISTEN/NOTIFY; the payload is the recipient's router id, never data).
 *
 * <p>The database stays the only store: a signal lost (the listening connection down) costs a
 * parked poll only its remaining wait, after which the router polls again and finds the
 * notification. After a reconnection every parked poll looks again, for what it missed.
 */
final class InboxSignals implements AutoCloseable {
    static final String CHANNEL = "dicomrelay_inbox";
    private static final System.Logger LOG = System.getLogger(InboxSignals.class.getName());
    private static final int RECEIVE_WAIT_MILLIS = 1000;
    private static final long RECONNECT_MAX_MILLIS = 5000;

    private final Database db;
    private final Consumer<String> wake;
    private final Runnable wakeAll;
    private final Thread listener;
    private final RepeatingLog failures = new RepeatingLog(LOG, java.time.Duration.ofMinutes(1));
    private volatile boolean closed;
    private volatile Connection listening;

    /**
     * @param wake    wakes this instance's polls of one router
     * @param wakeAll wakes every poll of this instance (after signals may have been missed)
     */
    InboxSignals(Database db, Consumer<String> wake, Runnable wakeAll) {
        this.db = db;
        this.wake = wake;
        this.wakeAll = wakeAll;
        this.listener = new Thread(this::listen, "bridge-inbox-signals");
        listener.setDaemon(true);
    }

    /** Starts listening; returns once the first LISTEN is in place (or failed, then retried in the background). */
    InboxSignals start() {
        Connection c = null;
        try {
            c = connectAndListen();
        } catch (SQLException e) {
            failures.occurred("listen", System.Logger.Level.WARNING, "cannot listen for other Bridge instances' notifications yet, "
                    + "retrying: " + FailureText.of(e));
        }
        listening = c;
        listener.start();
        return this;
    }

    /** Tells every instance (this one too) that {@code recipientId} has a new notification. */
    void announce(String recipientId) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, CHANNEL);
            ps.setString(2, recipientId);
            ps.execute();
            failures.cleared("announce", "other Bridge instances are told of notifications again");
        } catch (SQLException e) {
            failures.occurred("announce", System.Logger.Level.WARNING, "could not tell other Bridge instances of a notification for router "
                    + recipientId + " (their polls find it when they look again): " + FailureText.of(e));
        }
    }

    private Connection connectAndListen() throws SQLException {
        Connection c = DriverManager.getConnection(db.url());
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN " + CHANNEL);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void listen() {
        long backoff = 500;
        while (!closed) {
            Connection c = listening;
            try {
                if (c == null) {
                    c = connectAndListen();
                    listening = c;
                    failures.cleared("listen", "listening for other Bridge instances' notifications again");
                    wakeAll.run(); // what was published meanwhile
                    backoff = 500;
                }
                PGNotification[] got = c.unwrap(PGConnection.class).getNotifications(RECEIVE_WAIT_MILLIS);
                if (got != null) {
                    for (PGNotification n : got) wake.accept(n.getParameter());
                }
            } catch (SQLException e) {
                if (closed) return;
                failures.occurred("listen", System.Logger.Level.WARNING, "lost the connection that listens for other Bridge instances' "
                        + "notifications, reconnecting: " + FailureText.of(e));
                closeQuietly(c);
                listening = null;
                try {
                    Thread.sleep(backoff); // back off from a database that is down (not a synchronisation)
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(RECONNECT_MAX_MILLIS, backoff * 2);
            }
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing a broken connection
        }
    }

    @Override public void close() {
        closed = true;
        listener.interrupt();
        closeQuietly(listening);
        try {
            listener.join(RECEIVE_WAIT_MILLIS * 5L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
