package org.dicomrelay.bridge;

import java.sql.SQLException;

/** Whether a failure is the database refusing a row for a constraint (SQLSTATE class 23: a key already taken, say). */
final class IntegrityViolation {
    private IntegrityViolation() {}

    static boolean in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException e && e.getSQLState() != null && e.getSQLState().startsWith("23")) return true;
        }
        return false;
    }
}
