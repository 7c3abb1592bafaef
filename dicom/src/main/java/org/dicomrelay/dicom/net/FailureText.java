package org.dicomrelay.dicom.net;

/**
 * What went wrong, for log lines and exception messages: never "null" (many JDK exceptions,
 * a socket timeout or an EOF among them, carry no message). The toolkit is JDK-only, hence its
 * own copy of the relay's helper.
 */
public final class FailureText {
    private FailureText() {}

    /** The message of {@code t}, or its kind when it has none; with the first cause that says more. */
    public static String of(Throwable t) {
        if (t == null) return "unknown cause";
        String own = describe(t);
        Throwable c = t.getCause();
        if (c != null && c != t) {
            String more = describe(c);
            if (!own.contains(more)) return own + " (" + more + ")";
        }
        return own;
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
