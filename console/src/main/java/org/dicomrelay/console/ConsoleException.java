package org.dicomrelay.console;

/**
 * A console request answered with an error: its HTTP status, a message for the user and, for
 * invalid input, the form field it belongs to (the page shows the message next to that field).
 */
public final class ConsoleException extends RuntimeException {
    private final int status;
    private final String field;

    public ConsoleException(int status, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.field = field;
    }

    public static ConsoleException invalid(String field, String message) {
        return new ConsoleException(400, message, field);
    }

    public static ConsoleException notFound(String message) {
        return new ConsoleException(404, message, null);
    }

    public int status() { return status; }

    /** null: not about one field. */
    public String field() { return field; }
}
