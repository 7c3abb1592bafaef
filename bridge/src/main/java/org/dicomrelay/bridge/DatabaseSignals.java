package org.dicomrelay.bridge;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.log.RepeatingLog;
import org.jdbi.v3.core.JdbiException;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Tells every Bridge instance on one PostgreSQL database that something changed in it, on one
 * channel (PostgreSQL LISTEN/NOTIFY): a notification stored for a router ({@link #INBOX}, so that
 * a long poll parked at one instance returns at once when another took the publish), or a part
 * of a blob committed or the blob gone ({@link #BLOBS}, so that a recipient reading it through
 * one instance streams what the sender uploads through another). A signal carries a router id or
 * a blob name, never data.
 *
 * <p>The database stays the only store: a signal lost (the listening connection down) costs a
 * waiter only its remaining wait, after which it looks again. After a reconnection every waiter
 * looks again, for what it missed.
 */
final class DatabaseSignals implements AutoCloseable {
    static final String INBOX = "dicomrelay_inbox";
    static final String BLOBS = "dicomrelay_blobs";
    private static final System.Logger LOG = System.getLogger(DatabaseSignals.class.getName());
    private static final int RECEIVE_WAIT_MILLIS = 1000;
    private static final long RECONNECT_MAX_MILLIS = 5000;

    private final Database db;
    private final String channel;
    private final Consumer<String> wake;
    private final Runnable wakeAll;
    private final Thread listener;
    private final RepeatingLog failures = new RepeatingLog(LOG, java.time.Duration.ofMinutes(1));
    private volatile boolean closed;
    private volatile Connection listening;

    /**
     * @param wake    wakes this instance's waiters for what a signal names
     * @param wakeAll wakes every waiter of this instance (after signals may have been missed)
     */
    DatabaseSignals(Database db, String channel, Consumer<String> wake, Runnable wakeAll) {
        this.db = db;
        this.channel = channel;
        this.wake = wake;
        this.wakeAll = wakeAll;
        this.listener = new Thread(this::listen, "bridge-signals-" + channel);
        listener.setDaemon(true);
    }

    /** Starts listening; returns once the first LISTEN is in place (or failed, then retried in the background). */
    DatabaseSignals start() {
        Connection c = null;
        try {
            c = connectAndListen();
        } catch (SQLException e) {
            failures.occurred("listen", System.Logger.Level.WARNING, "cannot listen for other Bridge instances' signals on " + channel
                    + " yet, retrying: " + FailureText.of(e));
        }
        listening = c;
        listener.start();
        return this;
    }

    /** Tells every instance (this one too) that what {@code name} names changed. */
    void announce(String name) {
        try {
            // pg_notify returns void: one row holding null
            db.jdbi().useHandle(h -> h.createQuery("SELECT pg_notify(?, ?)").bind(0, channel).bind(1, name).mapTo(String.class).list());
            failures.cleared("announce", "other Bridge instances are told of changes on " + channel + " again");
        } catch (JdbiException e) {
            failures.occurred("announce", System.Logger.Level.WARNING, "could not tell other Bridge instances on " + channel + " that " + name
                    + " changed (their waiters see it when they look again): " + FailureText.of(e));
        }
    }

    private Connection connectAndListen() throws SQLException {
        Connection c = DriverManager.getConnection(db.url());
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN " + channel);
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
                    failures.cleared("listen", "listening for other Bridge instances' signals on " + channel + " again");
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
                        + "signals on " + channel + ", reconnecting: " + FailureText.of(e));
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
