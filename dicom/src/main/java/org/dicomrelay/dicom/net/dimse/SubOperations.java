package org.dicomrelay.dicom.net.dimse;

/**
 * The sub-operation counts of a C-MOVE-RSP or C-GET-RSP (0000,1020) to (0000,1023), PS3.7
 * §9.3.3.2 and §9.3.4.2. Each is null when the element is absent, which is not the same as 0: the
 * counts are conditional on the status (PS3.4 C.4.2.1.6 to C.4.2.1.9), and e.g. a refusal carries
 * none.
 */
public record SubOperations(Integer remaining, Integer completed, Integer failed, Integer warning) {

    /** No counts at all. */
    public static final SubOperations NONE = new SubOperations(null, null, null, null);

    public SubOperations {
        check("remaining", remaining);
        check("completed", completed);
        check("failed", failed);
        check("warning", warning);
    }

    private static void check(String name, Integer n) {
        if (n != null && (n < 0 || n > 0xFFFF)) {
            throw new IllegalArgumentException("number of " + name + " sub-operations out of the US range: " + n);
        }
    }

    /** All four counts present. */
    public static SubOperations of(int remaining, int completed, int failed, int warning) {
        return new SubOperations(remaining, completed, failed, warning);
    }

    public boolean isEmpty() {
        return remaining == null && completed == null && failed == null && warning == null;
    }
}
