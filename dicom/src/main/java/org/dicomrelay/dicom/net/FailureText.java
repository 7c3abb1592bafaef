package org.dicomrelay.dicom.net;

/**
 * What went wrong, for log lines, exception messages and Error Comments: never "null" (many JDK
 * exceptions, a socket timeout or an EOF among them, carry no message). JDK only, so that the
 * toolkit and everything built on it say it the same way.
 */
public final class FailureText {
    private FailureText() {}

    /** The message of {@code t}, or its kind when it has none; with the first underlying cause that says more. */
    public static String of(Throwable t) {
        if (t == null) return "unknown cause";
        String own = describe(t);
        for (Throwable c = t.getCause(); c != null && c != t; c = c.getCause()) {
            String more = describe(c);
            if (!own.contains(more)) return own + " (" + more + ")";
            if (c.getCause() == c) break;
        }
        return own;
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
