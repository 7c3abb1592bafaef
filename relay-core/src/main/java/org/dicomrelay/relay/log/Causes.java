package org.dicomrelay.relay.log;

/** What went wrong, in words an operator can act on: never "null" (many JDK exceptions carry no message). */
public final class Causes {
    private Causes() {}

    /** The message of {@code t}, or its kind; with the first underlying cause that says more. */
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
        String kind = t.getClass().getSimpleName();
        return m == null || m.isBlank() ? kind : m;
    }
}
